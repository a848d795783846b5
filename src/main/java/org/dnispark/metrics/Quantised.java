package org.dnispark.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.dnispark.image.RgbImage;

/**
 * An image quantised to 8 bits once (BasicSR's {@code round(clamp(x) * 255)}), with the planes metrics derive from
 * it (the BT.601 luma, SSIM's filtered moments of the ground truth) made at most once and kept beside it. A job
 * quantises each output once and each ground truth once per image, then hands both to every metric it scores.
 * Not thread-safe: an image belongs to one task.
 */
public final class Quantised {
    private final int width;
    private final int height;
    private final byte[] rgb;
    private final Map<String, Object> derived = new HashMap<>();

    /** Interleaved uint8 RGB, {@code 3 * width * height} bytes. */
    public Quantised(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0 || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " bytes, not " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public static Quantised of(RgbImage image) {
        return new Quantised(image.width(), image.height(), image.toUint8());
    }

    public static Quantised of(RgbImage.Uint8 image) {
        return new Quantised(image.width(), image.height(), image.rgb());
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The bytes, interleaved RGB; not copied, so not to be changed. */
    byte[] rgb() {
        return rgb;
    }

    /** BT.601 luma in [16, 235] per pixel, MATLAB's rgb2ycbcr coefficients on [0, 1] RGB, not rounded. */
    double[] luma() {
        return derived("luma", () -> Psnr.lumaPlane(rgb));
    }

    /** A plane derived from this image, made on first use under {@code key} and kept. */
    @SuppressWarnings("unchecked")
    <T> T derived(String key, Supplier<T> make) {
        Object v = derived.get(key);
        if (v == null) {
            v = make.get();
            derived.put(key, v);
        }
        return (T) v;
    }
}
