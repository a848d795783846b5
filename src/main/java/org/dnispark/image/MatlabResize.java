package org.dnispark.image;

/**
 * MATLAB-compatible {@code imresize(img, 1/s, 'bicubic')} for integer down-scaling, as super-resolution benchmarks
 * (and BasicSR) build their low-resolution inputs, and its integer up-scaling counterpart: Keys cubic kernel with a = -0.5, widened by the scale for
 * anti-aliasing, symmetric edge handling, rows first then columns, and the uint8 result rounded half away from
 * zero as MATLAB does for uint8 images.
 */
public final class MatlabResize {
    private MatlabResize() {
    }

    static double cubic(double x) {
        double ax = Math.abs(x);
        double ax2 = ax * ax;
        double ax3 = ax2 * ax;
        if (ax <= 1) {
            return 1.5 * ax3 - 2.5 * ax2 + 1;
        }
        if (ax <= 2) {
            return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
        }
        return 0;
    }

    /** Weights and (0-based, mirrored) source indices of every output position along one axis. */
    static final class Contributions {
        final int taps;
        final double[] weights;
        final int[] indices;

        Contributions(int inLength, int outLength, double scale) {
            double kernelWidth = scale < 1 ? 4.0 / scale : 4.0;
            this.taps = (int) Math.ceil(kernelWidth) + 2;
            this.weights = new double[outLength * taps];
            this.indices = new int[outLength * taps];
            for (int o = 0; o < outLength; o++) {
                double u = (o + 1) / scale + 0.5 * (1 - 1 / scale); // MATLAB's 1-based coordinates
                int left = (int) Math.floor(u - kernelWidth / 2);
                double sum = 0;
                for (int t = 0; t < taps; t++) {
                    int idx = left + t;
                    double x = u - idx;
                    double wgt = scale < 1 ? scale * cubic(scale * x) : cubic(x);
                    weights[o * taps + t] = wgt;
                    sum += wgt;
                    indices[o * taps + t] = mirror(idx - 1, inLength);
                }
                for (int t = 0; t < taps; t++) {
                    weights[o * taps + t] /= sum;
                }
            }
        }

        private static int mirror(int i, int n) {
            int period = 2 * n;
            int m = Math.floorMod(i, period);
            return m < n ? m : period - 1 - m;
        }
    }

    /** Down-scales by an integer factor; the image must already be a multiple of the factor (see modCrop). */
    public static RgbImage downscale(RgbImage img, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("down-scale factor " + factor + " is not a positive integer");
        }
        return factor == 1 ? img : resize(img, 1.0 / factor);
    }

    /** Up-scales by an integer factor (the classic bicubic baseline of super-resolution papers). */
    public static RgbImage upscale(RgbImage img, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("up-scale factor " + factor + " is not a positive integer");
        }
        return factor == 1 ? img : resize(img, factor);
    }

    private static RgbImage resize(RgbImage img, double scale) {
        int w = img.width();
        int h = img.height();
        int ow = (int) Math.ceil(w * scale - 1e-9);
        int oh = (int) Math.ceil(h * scale - 1e-9);
        Contributions rows = new Contributions(h, oh, scale);
        Contributions cols = new Contributions(w, ow, scale);
        float[] src = img.data();
        float[] out = new float[3 * ow * oh];
        double[] tmp = new double[oh * w];
        for (int c = 0; c < 3; c++) {
            int base = c * w * h;
            for (int o = 0; o < oh; o++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int t = 0; t < rows.taps; t++) {
                        double wt = rows.weights[o * rows.taps + t];
                        if (wt != 0) {
                            acc += wt * (src[base + rows.indices[o * rows.taps + t] * w + x] * 255.0);
                        }
                    }
                    tmp[o * w + x] = acc;
                }
            }
            for (int y = 0; y < oh; y++) {
                for (int o = 0; o < ow; o++) {
                    double acc = 0;
                    for (int t = 0; t < cols.taps; t++) {
                        double wt = cols.weights[o * cols.taps + t];
                        if (wt != 0) {
                            acc += wt * tmp[y * w + cols.indices[o * cols.taps + t]];
                        }
                    }
                    // uint8 output: MATLAB rounds half away from zero and saturates.
                    double r = Math.min(255, Math.max(0, Math.round(acc)));
                    out[(c * oh + y) * ow + o] = (float) (r / 255.0);
                }
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
