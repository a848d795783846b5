package org.dnispark.metrics;

import org.dnispark.image.RgbImage;

/**
 * The noise level of an image from the image alone: Immerkaer's fast estimate ("Fast noise variance estimation",
 * CVIU 1996), the mean absolute response to the 3x3 mask {@code [1 -2 1; -2 4 -2; 1 -2 1]} (the difference of two
 * Laplacians, which cancels smooth structure) scaled to a Gaussian noise's standard deviation. Computed on the mean of
 * the three channels, on the 0-255 scale. Texture reads partly as noise, so on clean photographs it is not zero.
 */
public final class NoiseEstimate {
    private NoiseEstimate() {
    }

    /** The estimated sigma (0-255 scale) of {@code image}; 0 for an image smaller than 3x3. */
    public static double sigma(RgbImage image) {
        int w = image.width();
        int h = image.height();
        if (w < 3 || h < 3) {
            return 0;
        }
        float[] g = grey(image);
        double sum = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                double r = g[i - w - 1] - 2 * g[i - w] + g[i - w + 1]
                        - 2 * g[i - 1] + 4 * g[i] - 2 * g[i + 1]
                        + g[i + w - 1] - 2 * g[i + w] + g[i + w + 1];
                sum += Math.abs(r);
            }
        }
        return Math.sqrt(Math.PI / 2) * sum / (6.0 * (w - 2) * (h - 2));
    }

    /** The mean of the channels, 0-255. */
    public static float[] grey(RgbImage image) {
        int n = image.width() * image.height();
        float[] d = image.data();
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (d[i] + d[n + i] + d[2 * n + i]) * (255f / 3f);
        }
        return g;
    }
}
