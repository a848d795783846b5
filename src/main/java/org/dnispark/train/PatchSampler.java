package org.dnispark.train;

import java.util.List;
import java.util.SplittableRandom;

import org.dnispark.core.SplitMix;

/**
 * Random training patches with additive Gaussian noise. Batch {@code step} depends only on the seed and the step
 * number, so a resumed run sees exactly the batches the interrupted one would have seen. Each patch comes from an
 * image chosen in proportion to its number of patch positions, at a uniform position, in one of the eight
 * flips/rotations; the noise is N(0, sigma/255) per pixel and is not clipped (the DnCNN convention).
 */
public final class PatchSampler {
    private final List<GreyImage> images;
    private final int patch;
    private final long seed;
    private final long[] cumulativePositions;

    public PatchSampler(List<GreyImage> images, int patch, long seed) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        this.images = images;
        this.patch = patch;
        this.seed = seed;
        this.cumulativePositions = new long[images.size()];
        long total = 0;
        for (int i = 0; i < images.size(); i++) {
            GreyImage g = images.get(i);
            if (g.width() < patch || g.height() < patch) {
                throw new IllegalArgumentException("training image '" + g.name() + "' is " + g.width() + "x"
                        + g.height() + ", smaller than the " + patch + "x" + patch + " patches");
            }
            total += (long) (g.width() - patch + 1) * (g.height() - patch + 1);
            cumulativePositions[i] = total;
        }
    }

    /** One batch: {@code clean} and {@code noisy} receive {@code batch} patches of patch x patch values each. */
    public void batch(long step, int batch, double sigma, float[] clean, float[] noisy) {
        SplittableRandom rnd = stream(seed, step);
        int area = patch * patch;
        float s = (float) (sigma / 255.0);
        for (int b = 0; b < batch; b++) {
            GreyImage g = images.get(pick(cumulativePositions, rnd));
            int x0 = rnd.nextInt(g.width() - patch + 1);
            int y0 = rnd.nextInt(g.height() - patch + 1);
            int mode = rnd.nextInt(8);
            int off = b * area;
            for (int y = 0; y < patch; y++) {
                for (int x = 0; x < patch; x++) {
                    clean[off + y * patch + x] = g.values()[(y0 + sourceY(mode, patch, x, y)) * g.width() + x0
                            + sourceX(mode, patch, x, y)];
                }
            }
            for (int k = 0; k < area; k++) {
                noisy[off + k] = clean[off + k] + s * (float) rnd.nextGaussian();
            }
        }
    }

    /** The random stream of batch {@code step}: it depends only on the seed and the step. */
    static SplittableRandom stream(long seed, long step) {
        return new SplittableRandom(SplitMix.mix(seed * SplitMix.GOLDEN + step));
    }

    /** The image a uniform patch position falls in: each in proportion to its positions (cumulative counts). */
    static int pick(long[] cumulativePositions, SplittableRandom rnd) {
        long pick = rnd.nextLong(cumulativePositions[cumulativePositions.length - 1]);
        int i = 0;
        while (cumulativePositions[i] <= pick) {
            i++;
        }
        return i;
    }

    /** The source column of patch pixel (x, y) under flip/rotation {@code mode}: bit 2 transposes, bit 0 mirrors x. */
    static int sourceX(int mode, int side, int x, int y) {
        int u = (mode & 4) != 0 ? y : x;
        return (mode & 1) != 0 ? side - 1 - u : u;
    }

    /** The source row of patch pixel (x, y) under flip/rotation {@code mode}: bit 2 transposes, bit 1 mirrors y. */
    static int sourceY(int mode, int side, int x, int y) {
        int v = (mode & 4) != 0 ? x : y;
        return (mode & 2) != 0 ? side - 1 - v : v;
    }
}
