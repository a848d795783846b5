package org.dnispark.image;

import java.util.Arrays;

import org.dnispark.metrics.NoiseEstimate;

/**
 * Region-adaptive interpolation (the paper's Fig. 6 problem: one denoising strength over-smooths texture and
 * under-cleans flat regions). An alpha per pixel from the input's local signal-to-noise ratio, then a composite of
 * outputs computed at a few alpha levels:
 * <ol>
 *   <li>the noise sigma {@code s} of the whole input ({@link NoiseEstimate});</li>
 *   <li>the local signal standard deviation {@code t(x) = sqrt(max(0, var_x - s^2))}, where {@code var_x} is the
 *       input's variance under a Gaussian window of standard deviation {@code smoothing} pixels;</li>
 *   <li>{@code alpha(x) = flat + (textured - flat) * t / (t + s)}: where the signal is weak against the noise (sky)
 *       it tends to {@code flat}, where it is strong (grass) to {@code textured}; clamped to the levels, then
 *       smoothed by the same window (the square root is steep where the signal just clears the noise);</li>
 *   <li>each output pixel blends the outputs of the two levels either side of its alpha, linearly, so the weights
 *       are as smooth as the map and sum to 1.</li>
 * </ol>
 */
public final class RegionAlpha {
    private RegionAlpha() {
    }

    /** The alpha map of {@code input} (one value per input pixel, row-major), clamped to the levels' range. */
    public static float[] map(RgbImage input, double smoothing, double flat, double textured, double[] levels) {
        int w = input.width();
        int h = input.height();
        float[] g = NoiseEstimate.grey(input);
        double s = NoiseEstimate.sigma(input);
        float[] sq = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            sq[i] = g[i] * g[i];
        }
        float[] mean = blur(g, w, h, smoothing);
        float[] meanSq = blur(sq, w, h, smoothing);
        double lo = Arrays.stream(levels).min().orElseThrow();
        double hi = Arrays.stream(levels).max().orElseThrow();
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            double var = Math.max(0, meanSq[i] - (double) mean[i] * mean[i]);
            double t = Math.sqrt(Math.max(0, var - s * s));
            double snr = s > 0 ? t / (t + s) : 1;
            double a = flat + (textured - flat) * snr;
            out[i] = (float) Math.min(hi, Math.max(lo, a));
        }
        // the square root makes the map steep where the signal just clears the noise: smooth it once more
        return blur(out, w, h, smoothing);
    }

    /**
     * The per-pixel composite: {@code outputs[k]} is the output at {@code levels[k]} (levels ascending, outputs
     * {@code scale} times the map's size); output pixel {@code (x, y)} takes the alpha of input pixel
     * {@code (x / scale, y / scale)}.
     */
    public static RgbImage composite(RgbImage[] outputs, double[] levels, float[] alpha, int mapWidth, int scale) {
        for (int k = 1; k < levels.length; k++) {
            if (!(levels[k] > levels[k - 1])) {
                throw new IllegalArgumentException("levels " + Arrays.toString(levels) + " are not ascending");
            }
        }
        int w = outputs[0].width();
        int h = outputs[0].height();
        int plane = w * h;
        float[] out = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int mx = Math.min(mapWidth - 1, x / scale);
                int my = Math.min(alpha.length / mapWidth - 1, y / scale);
                double a = alpha[my * mapWidth + mx];
                int k = 0;
                while (k < levels.length - 2 && a > levels[k + 1]) {
                    k++;
                }
                double wt = levels.length == 1 ? 0 : (a - levels[k]) / (levels[k + 1] - levels[k]);
                wt = Math.min(1, Math.max(0, wt));
                int i = y * w + x;
                for (int c = 0; c < 3; c++) {
                    float lo = outputs[k].data()[c * plane + i];
                    float hi = levels.length == 1 ? lo : outputs[k + 1].data()[c * plane + i];
                    out[c * plane + i] = (float) ((1 - wt) * lo + wt * hi);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** The map as a grey image (alpha 0 black, 1 white), for frames. */
    public static RgbImage picture(float[] alpha, int w, int h) {
        float[] d = new float[3 * alpha.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(alpha, 0, d, c * alpha.length, alpha.length);
        }
        return new RgbImage(w, h, d);
    }

    /** A separable Gaussian blur with mirrored edges (radius 3 sigma). */
    static float[] blur(float[] src, int w, int h, double sigma) {
        if (!(sigma > 0)) {
            return src.clone();
        }
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double total = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
            total += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= total;
        }
        float[] tmp = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * src[y * w + mirror(x + i, w)];
                }
                tmp[y * w + x] = (float) acc;
            }
        }
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * tmp[mirror(y + i, h) * w + x];
                }
                out[y * w + x] = (float) acc;
            }
        }
        return out;
    }

    private static int mirror(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }
}
