package org.dnispark.train;

import java.util.List;
import java.util.SplittableRandom;

import org.dnispark.image.MatlabResize;
import org.dnispark.image.RgbImage;

/**
 * Aligned low/high-resolution RGB training patches for super-resolution. Each photograph is cropped to a multiple of
 * the scale and down-scaled once, whole, with MATLAB's bicubic imresize (so patch borders see real context, as the
 * test images' low-resolution versions do), then rounded to 8 bits. Batch {@code step} depends only on the seed and
 * the step, so a resumed run sees the batches the interrupted one would have: an image in proportion to its patch
 * positions, a uniform low-resolution position, and one of the eight flips/rotations, applied to both patches.
 */
public final class SrPatchSampler {
    /** One photograph at both resolutions. */
    record Pair(String name, RgbImage high, RgbImage low) {
    }

    private final List<Pair> pairs;
    private final int patch;
    private final int scale;
    private final long seed;
    private final long[] cumulativePositions;

    /** {@code patch}: the low-resolution side; the high-resolution patch is {@code scale} times it. */
    SrPatchSampler(List<Pair> pairs, int patch, int scale, long seed) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        this.pairs = pairs;
        this.patch = patch;
        this.scale = scale;
        this.seed = seed;
        this.cumulativePositions = new long[pairs.size()];
        long total = 0;
        for (int i = 0; i < pairs.size(); i++) {
            RgbImage low = pairs.get(i).low();
            if (low.width() < patch || low.height() < patch) {
                throw new IllegalArgumentException("training image '" + pairs.get(i).name() + "' is " + low.width()
                        + "x" + low.height() + " at low resolution, smaller than the " + patch + "x" + patch
                        + " patches");
            }
            total += (long) (low.width() - patch + 1) * (low.height() - patch + 1);
            cumulativePositions[i] = total;
        }
    }

    /** A photograph at both resolutions: cropped to a multiple of {@code scale}, its bicubic low-resolution twin. */
    static Pair pair(String name, RgbImage photo, int scale) {
        RgbImage high = photo.modCrop(scale);
        RgbImage low = MatlabResize.downscale(high, scale);
        float[] d = low.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = RgbImage.quantize(d[i]) / 255f;
        }
        return new Pair(name, high, new RgbImage(low.width(), low.height(), d));
    }

    /** One batch, NCHW: {@code low} gets batch x 3 x p x p values, {@code high} batch x 3 x (p s) x (p s). */
    void batch(long step, int batch, float[] low, float[] high) {
        SplittableRandom rnd = PatchSampler.stream(seed, step);
        int hp = patch * scale;
        for (int b = 0; b < batch; b++) {
            Pair p = pairs.get(PatchSampler.pick(cumulativePositions, rnd));
            int x0 = rnd.nextInt(p.low().width() - patch + 1);
            int y0 = rnd.nextInt(p.low().height() - patch + 1);
            int mode = rnd.nextInt(8);
            copy(p.low(), x0, y0, patch, mode, low, b * 3 * patch * patch);
            copy(p.high(), x0 * scale, y0 * scale, hp, mode, high, b * 3 * hp * hp);
        }
    }

    /** A side x side patch at (x0, y0), flipped/rotated by {@code mode}, into {@code out} at {@code off}. */
    private static void copy(RgbImage img, int x0, int y0, int side, int mode, float[] out, int off) {
        float[] d = img.data();
        int w = img.width();
        int plane = w * img.height();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    // the same flip/rotation at both resolutions
                    out[off + (c * side + y) * side + x] = d[c * plane + (y0 + PatchSampler.sourceY(mode, side, x, y))
                            * w + x0 + PatchSampler.sourceX(mode, side, x, y)];
                }
            }
        }
    }
}
