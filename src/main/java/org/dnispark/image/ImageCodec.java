package org.dnispark.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Decoding and encoding with the JDK's ImageIO (PNG, JPEG, BMP, GIF). Greyscale and palette images become RGB with
 * equal channels; alpha is dropped. Declared dimensions are checked before any pixel is decoded, so a
 * decompression bomb is refused without allocating it.
 */
public final class ImageCodec {
    /** Largest accepted image, in pixels (about 100 megapixels). */
    public static final long MAX_PIXELS = 100_000_000L;

    static {
        ImageIO.setUseCache(false); // no temp file per stream
    }

    private ImageCodec() {
    }

    /** Thrown for bytes that are not a readable image; the message names the file and the reason. */
    public static final class BadImageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public BadImageException(String message) {
            super(message);
        }
    }

    /** An image's declared size, read from its header without decoding a pixel. */
    public record Size(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    /** The declared size of an encoded image; a {@link BadImageException} for what {@link #decode} would refuse. */
    public static Size probe(byte[] bytes, String name) {
        return read(bytes, name, false).size;
    }

    public static RgbImage decode(byte[] bytes, String name) {
        return read(bytes, name, true).image;
    }

    private record Read(Size size, RgbImage image) {
    }

    private static Read read(byte[] bytes, String name, boolean pixels) {
        if (bytes.length == 0) {
            throw new BadImageException(name + ": empty file; expected a PNG, JPEG or BMP image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(name + ": not a recognised image format; expected PNG, JPEG or BMP");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w * h > MAX_PIXELS) {
                    throw new BadImageException(name + ": declared size " + w + "x" + h + " is outside 1.."
                            + MAX_PIXELS + " pixels");
                }
                Size size = new Size((int) w, (int) h);
                if (!pixels) {
                    return new Read(size, null);
                }
                // The decoder reports damage (a truncated JPEG, corrupt data) as warnings and fills the rest grey;
                // an image with a grey half would be scored and published as if it were whole.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                ImageReadParam param = reader.getDefaultReadParam();
                BufferedImage img = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new BadImageException(name + ": damaged image (" + String.join("; ", warnings)
                            + "); expected a complete file");
                }
                if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
                    throw new BadImageException(name + ": CMYK image; expected RGB or greyscale (its colours would "
                            + "come out wrong: convert it to RGB first)");
                }
                return new Read(size, fromBufferedImage(img));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadImageException) {
                throw (BadImageException) e;
            }
            throw new BadImageException(name + ": cannot decode image (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    public static RgbImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] d = new float[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            d[i] = ((p >> 16) & 0xff) / 255f;
            d[plane + i] = ((p >> 8) & 0xff) / 255f;
            d[2 * plane + i] = (p & 0xff) / 255f;
        }
        return new RgbImage(w, h, d);
    }

    public static BufferedImage toBufferedImage(RgbImage image) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.toUint8();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((rgb[3 * i] & 0xff) << 16) | ((rgb[3 * i + 1] & 0xff) << 8) | (rgb[3 * i + 2] & 0xff);
        }
        img.setRGB(0, 0, w, h, px, 0, w);
        return img;
    }

    public static byte[] encodePng(RgbImage image) {
        return encodePng(toBufferedImage(image));
    }

    public static byte[] encodePng(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer available");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JPEG at a quality of 1..100 (IJG scale), as written by the JDK's encoder. */
    public static byte[] encodeJpeg(RgbImage image, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality " + quality + " is outside 1..100");
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(toBufferedImage(image), null, null), p);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
