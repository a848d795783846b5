package org.dnispark.jobs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.storage.Storage;

/**
 * Folders of images read whole on the driver (NIQE's pristine photographs and the images the niqe command scores):
 * a folder's image files, and each image decoded only after its header says it fits a pixel limit. Errors name the
 * setting and the file.
 */
public final class ImageFolders {
    private ImageFolders() {
    }

    /** The image files of {@code folder} (named by setting {@code key}), in name order; none is an error. */
    public static List<String> list(String key, String folder, List<String> extensions, Configuration conf)
            throws IOException {
        List<String> uris;
        try {
            uris = Storage.listFiles(folder, extensions, conf);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(key + ": folder " + folder + " not found");
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException(key + ": folder " + folder + " holds no image (extensions "
                    + extensions + ")");
        }
        return uris;
    }

    /** An image decoded only after its header says it has at most {@code maxPixels} (setting {@code limitKey}). */
    public static RgbImage decode(String uri, long maxPixels, String limitKey, Configuration conf) throws IOException {
        byte[] bytes = Storage.readAll(uri, conf);
        ImageCodec.Size size = ImageCodec.probe(bytes, uri);
        if (size.pixels() > maxPixels) {
            throw new IllegalArgumentException(uri + ": " + size.width() + "x" + size.height() + " is "
                    + size.pixels() + " pixels, more than " + limitKey + " = " + maxPixels + " (raise it, and "
                    + "the heap, for larger images)");
        }
        return ImageCodec.decode(bytes, uri);
    }
}
