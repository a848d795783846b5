package org.dnispark.metrics;

import org.dnispark.image.RgbImage;

/**
 * SSIM with BasicSR's conventions (Wang et al. 2004 as its MATLAB reference computes it): both images quantised to
 * uint8 like {@link Psnr}, {@code cropBorder} pixels removed from every edge, each channel filtered in double
 * precision with an 11x11 Gaussian window of sigma 1.5 (the normalised kernel {@code cv2.getGaussianKernel(11, 1.5)}
 * gives, applied separably), the SSIM map kept only where the whole window fits (the valid region), averaged; for
 * RGB the mean over the three channels, for Y the same BT.601 luma in [16, 235] as {@link Psnr#y}. Constants
 * {@code C1 = (0.01*255)^2}, {@code C2 = (0.03*255)^2}.
 */
public final class Ssim {
    static final int WINDOW = 11;
    static final double SIGMA = 1.5;
    static final double C1 = (0.01 * 255) * (0.01 * 255);
    static final double C2 = (0.03 * 255) * (0.03 * 255);
    private static final double[] KERNEL = kernel();

    private Ssim() {
    }

    private static double[] kernel() {
        double[] k = new double[WINDOW];
        double sum = 0;
        for (int i = 0; i < WINDOW; i++) {
            double x = i - (WINDOW - 1) / 2.0;
            k[i] = Math.exp(-x * x / (2 * SIGMA * SIGMA));
            sum += k[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** SSIM over RGB, in the registry as {@code ssim-rgb}. */
    public static final Metric RGB = new Entry(false);
    /** SSIM on the luma, in the registry as {@code ssim-y}. */
    public static final Metric Y = new Entry(true);

    /** The registry's entries: higher is better, no unit, six decimals (four would hide neighbouring alphas). */
    // six decimals: four would hide the differences between neighbouring alphas
    private static final Metric.Description RGB_DESCRIPTION = new Metric.Description("ssim-rgb", "ssim_rgb", "SSIM-RGB", "", 6,
            Metric.Direction.HIGHER, true);
    private static final Metric.Description Y_DESCRIPTION = new Metric.Description("ssim-y", "ssim_y", "SSIM-Y", "", 6,
            Metric.Direction.HIGHER, true);

    private record Entry(boolean yChannel) implements Metric {
        @Override
        public Description description() {
            return yChannel ? Y_DESCRIPTION : RGB_DESCRIPTION;
        }

        @Override
        public long referenceBytesPerPixel() {
            // per channel the filtered mean and mean square; the luma plane for Y
            return yChannel ? 8 + 16 : 3 * 16;
        }

        @Override
        public String refusal(int width, int height, int cropBorder) {
            return Metric.cropRefusal(width, height, cropBorder);
        }

        @Override
        public double score(Quantised output, Quantised reference, int cropBorder) {
            return Ssim.score(output, reference, cropBorder, yChannel);
        }
    }

    /** SSIM over the RGB channels (their mean). */
    public static double rgb(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return score(Quantised.of(output), Quantised.of(groundTruth), cropBorder, false);
    }

    /** SSIM on the Y channel. */
    public static double y(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return score(Quantised.of(output), Quantised.of(groundTruth), cropBorder, true);
    }

    /** SSIM of interleaved uint8 RGB images. */
    public static double fromUint8(byte[] a, byte[] b, int wa, int ha, int wb, int hb, int cropBorder,
            boolean yChannel) {
        return score(new Quantised(wa, ha, a), new Quantised(wb, hb, b), cropBorder, yChannel);
    }

    /**
     * SSIM of two quantised images. The reference's planes and their filtered moments are kept beside it, so a
     * ground truth scored against many outputs is filtered once.
     */
    static double score(Quantised qa, Quantised qb, int cropBorder, boolean yChannel) {
        int wa = qa.width();
        int ha = qa.height();
        if (wa != qb.width() || ha != qb.height()) {
            throw new IllegalArgumentException("SSIM needs equal sizes, got " + wa + "x" + ha + " and " + qb.width()
                    + "x" + qb.height());
        }
        int w = wa - 2 * cropBorder;
        int h = ha - 2 * cropBorder;
        if (cropBorder < 0 || w < WINDOW || h < WINDOW) {
            throw new IllegalArgumentException("SSIM needs at least " + WINDOW + "x" + WINDOW + " pixels after a crop "
                    + "border of " + cropBorder + "; the image is " + wa + "x" + ha);
        }
        if (yChannel) {
            return channel(plane(qa, cropBorder, w, h, -1), reference(qb, cropBorder, w, h, -1), w, h);
        }
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += channel(plane(qa, cropBorder, w, h, c), reference(qb, cropBorder, w, h, c), w, h);
        }
        return sum / 3;
    }

    /** One channel of the cropped image with its filtered mean and mean square (valid region). */
    private record Moments(double[] plane, double[] mean, double[] meanSquare) {
    }

    private static Moments moments(Quantised q, int crop, int w, int h, int c) {
        double[] p = plane(q, crop, w, h, c);
        double[] sq = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            sq[i] = p[i] * p[i];
        }
        return new Moments(p, valid(p, w, h), valid(sq, w, h));
    }

    /** The reference's moments, kept beside it for the next output. */
    private static Moments reference(Quantised q, int crop, int w, int h, int c) {
        return q.derived("ssim:" + crop + ":" + c, () -> moments(q, crop, w, h, c));
    }

    /** One channel ({@code c} = 0, 1, 2) or the luma ({@code c} = -1) of the cropped image, row-major. */
    private static double[] plane(Quantised q, int crop, int w, int h, int c) {
        byte[] rgb = q.rgb();
        double[] luma = c < 0 ? q.luma() : null;
        int width = q.width();
        double[] p = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = (y + crop) * width + x + crop;
                p[y * w + x] = c < 0 ? luma[at] : rgb[3 * at + c] & 0xff;
            }
        }
        return p;
    }

    /**
     * The mean of the SSIM map over the valid region of one channel: the output's plane {@code x} against the
     * reference's moments. The output's three filtered planes (x, x squared, x times y) are made together, rows then
     * columns, and the map is summed as the columns pass; each value is the same sum, in the same order, as filtering
     * each plane alone, so the result is the same to the last bit.
     */
    private static double channel(double[] x, Moments b, int w, int h) {
        double[] y = b.plane();
        int vw = w - WINDOW + 1;
        int vh = h - WINDOW + 1;
        double[] rx = new double[vw * h];
        double[] rxx = new double[vw * h];
        double[] rxy = new double[vw * h];
        for (int row = 0; row < h; row++) {
            int base = row * w;
            for (int col = 0; col < vw; col++) {
                double ax = 0;
                double axx = 0;
                double axy = 0;
                for (int k = 0; k < WINDOW; k++) {
                    double v = x[base + col + k];
                    ax += KERNEL[k] * v;
                    axx += KERNEL[k] * (v * v);
                    axy += KERNEL[k] * (v * y[base + col + k]);
                }
                rx[row * vw + col] = ax;
                rxx[row * vw + col] = axx;
                rxy[row * vw + col] = axy;
            }
        }
        double[] my = b.mean();
        double[] syy = b.meanSquare();
        double sum = 0;
        for (int row = 0; row < vh; row++) {
            for (int col = 0; col < vw; col++) {
                double mux = 0;
                double sxx = 0;
                double sxy = 0;
                for (int k = 0; k < WINDOW; k++) {
                    int at = (row + k) * vw + col;
                    mux += KERNEL[k] * rx[at];
                    sxx += KERNEL[k] * rxx[at];
                    sxy += KERNEL[k] * rxy[at];
                }
                int i = row * vw + col;
                double muy = my[i];
                double vx = sxx - mux * mux;
                double vy = syy[i] - muy * muy;
                double cov = sxy - mux * muy;
                sum += ((2 * mux * muy + C1) * (2 * cov + C2)) / ((mux * mux + muy * muy + C1) * (vx + vy + C2));
            }
        }
        return sum / ((double) vw * vh);
    }

    /** The Gaussian-weighted mean of every full window, separably: rows, then columns. */
    private static double[] valid(double[] p, int w, int h) {
        int vw = w - WINDOW + 1;
        int vh = h - WINDOW + 1;
        double[] rows = new double[vw * h];
        for (int y = 0; y < h; y++) {
            int base = y * w;
            for (int x = 0; x < vw; x++) {
                double acc = 0;
                for (int k = 0; k < WINDOW; k++) {
                    acc += KERNEL[k] * p[base + x + k];
                }
                rows[y * vw + x] = acc;
            }
        }
        double[] out = new double[vw * vh];
        for (int y = 0; y < vh; y++) {
            for (int x = 0; x < vw; x++) {
                double acc = 0;
                for (int k = 0; k < WINDOW; k++) {
                    acc += KERNEL[k] * rows[(y + k) * vw + x];
                }
                out[y * vw + x] = acc;
            }
        }
        return out;
    }
}
