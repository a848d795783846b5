package org.dnispark.image;

import java.io.Serializable;

/**
 * A three-channel image as planar floats in [0, 1] (channel, row, column), the layout networks consume. Values may
 * leave [0, 1] (for example after unclipped Gaussian noise); {@link #toUint8()} clamps and rounds.
 */
public final class RgbImage implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int width;
    private final int height;
    private final float[] data;

    public RgbImage(int width, int height, float[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " is not positive");
        }
        if (data.length != 3L * width * height) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs " + 3L * width * height
                    + " values, got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.data = data;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Planar CHW values. Callers must not modify the returned array. */
    public float[] data() {
        return data;
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** Interleaved RGB bytes, clamped to [0, 1] and rounded half to even as BasicSR's {@code tensor2img} does. */
    public byte[] toUint8() {
        byte[] out = new byte[3 * width * height];
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[i * 3 + c] = (byte) quantize(data[c * plane + i]);
            }
        }
        return out;
    }

    public static int quantize(float v) {
        float clamped = v < 0f ? 0f : (v > 1f ? 1f : v);
        return (int) Math.rint(clamped * 255.0f);
    }

    /** Builds an image from interleaved RGB bytes. */
    public static RgbImage fromUint8(int width, int height, byte[] rgb) {
        int plane = width * height;
        float[] d = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                d[c * plane + i] = (rgb[i * 3 + c] & 0xff) / 255f;
            }
        }
        return new RgbImage(width, height, d);
    }

    /** The rectangle [x0, x0+w) x [y0, y0+h), with coordinates outside the image clamped (edge replication). */
    public RgbImage cropReplicate(int x0, int y0, int w, int h) {
        return crop(x0, y0, w, h, false);
    }

    /**
     * The rectangle [x0, x0+w) x [y0, y0+h); coordinates outside the image are clamped (edge replication) or, with
     * {@code reflect}, mirrored without repeating the edge pixel (numpy's and PyTorch's "reflect").
     */
    public RgbImage crop(int x0, int y0, int w, int h, boolean reflect) {
        float[] d = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                int sy = reflect ? reflectIndex(y0 + y, height) : Math.min(Math.max(y0 + y, 0), height - 1);
                for (int x = 0; x < w; x++) {
                    int sx = reflect ? reflectIndex(x0 + x, width) : Math.min(Math.max(x0 + x, 0), width - 1);
                    d[(c * h + y) * w + x] = data[(c * height + sy) * width + sx];
                }
            }
        }
        return new RgbImage(w, h, d);
    }

    static int reflectIndex(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * n - 2;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    /** Crops to the largest size that is a multiple of {@code m} (BasicSR's {@code mod_crop}). */
    public RgbImage modCrop(int m) {
        int w = width - width % m;
        int h = height - height % m;
        return (w == width && h == height) ? this : cropReplicate(0, 0, w, h);
    }

    /**
     * {@code sum_m weights[m] * images[m]}, pixel by pixel, in double precision (pixel interpolation, the baseline
     * DNI is compared with); images of one size, zero weights skipped.
     */
    public static RgbImage weightedSum(RgbImage[] images, double[] weights) {
        RgbImage first = images[0];
        float[] out = new float[first.data().length];
        for (int j = 0; j < out.length; j++) {
            double acc = 0;
            for (int m = 0; m < weights.length; m++) {
                if (weights[m] != 0) {
                    acc += weights[m] * images[m].data()[j];
                }
            }
            out[j] = (float) acc;
        }
        return new RgbImage(first.width(), first.height(), out);
    }

    /** An image quantised to interleaved uint8 RGB, for keeping many frames in little memory. */
    public record Uint8(int width, int height, byte[] rgb) {
        public RgbImage toImage() {
            return fromUint8(width, height, rgb);
        }
    }

    public Uint8 quantised() {
        return new Uint8(width, height, toUint8());
    }
}
