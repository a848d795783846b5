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
        SplittableRandom rnd = new SplittableRandom(mix(seed, step));
        int area = patch * patch;
        float s = (float) (sigma / 255.0);
        for (int b = 0; b < batch; b++) {
            long pick = rnd.nextLong(cumulativePositions[cumulativePositions.length - 1]);
            int i = 0;
            while (cumulativePositions[i] <= pick) {
                i++;
            }
            GreyImage g = images.get(i);
            int x0 = rnd.nextInt(g.width() - patch + 1);
            int y0 = rnd.nextInt(g.height() - patch + 1);
            int mode = rnd.nextInt(8);
            int off = b * area;
            for (int y = 0; y < patch; y++) {
                for (int x = 0; x < patch; x++) {
                    // mode bit 0: mirror x, bit 1: mirror y, bit 2: transpose
                    int u = (mode & 4) != 0 ? y : x;
                    int v = (mode & 4) != 0 ? x : y;
                    if ((mode & 1) != 0) {
                        u = patch - 1 - u;
                    }
                    if ((mode & 2) != 0) {
                        v = patch - 1 - v;
                    }
                    clean[off + y * patch + x] = g.values()[(y0 + v) * g.width() + x0 + u];
                }
            }
            for (int k = 0; k < area; k++) {
                noisy[off + k] = clean[off + k] + s * (float) rnd.nextGaussian();
            }
        }
    }

    private static long mix(long seed, long step) {
        return SplitMix.mix(seed * SplitMix.GOLDEN + step);
    }
}
