package org.dnispark.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.storage.Storage;

/**
 * The few images the driver measures activations on (activation matching, renormalisation): the first {@code count}
 * images of a folder in name order, centre-cropped to {@code crop} pixels and degraded by {@code degradation} as a run
 * degrades its inputs (an empty list keeps them clean). Errors name the setting and the file.
 *
 * @param images the images, in name order
 * @param names  their file names
 */
public record MeasurementImages(List<RgbImage> images, List<String> names) {
    private static final long MAX_IMAGE_BYTES = 256L << 20;

    public static MeasurementImages read(String key, String folder, int count, int crop, List<String> extensions,
            List<DegradationStep> degradation, long seed, int modelScale, Configuration conf) {
        if (folder == null || folder.isEmpty()) {
            throw new IllegalArgumentException(key + ": a folder of images is needed to measure the activations on");
        }
        List<String> files;
        try {
            files = Storage.listFiles(folder, extensions, conf);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot list " + folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(key + ": no " + extensions + " images in " + folder);
        }
        List<RgbImage> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String f : files.subList(0, Math.min(count, files.size()))) {
            String name = f.substring(f.lastIndexOf('/') + 1);
            RgbImage img;
            try {
                img = ImageCodec.decode(Storage.readAll(f, conf, MAX_IMAGE_BYTES, key), f);
            } catch (IOException e) {
                throw new IllegalArgumentException(key + ": cannot read " + f + ": " + e.getMessage(), e);
            }
            int w = Math.min(crop, img.width());
            int h = Math.min(crop, img.height());
            RgbImage c = img.cropReplicate((img.width() - w) / 2, (img.height() - h) / 2, w, h);
            images.add(DegradationStep.applyAll(degradation, c, modelScale, seed, name));
            names.add(name);
        }
        return new MeasurementImages(List.copyOf(images), List.copyOf(names));
    }
}
