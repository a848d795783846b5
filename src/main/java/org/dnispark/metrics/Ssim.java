package org.dnispark.metrics;

import java.util.Arrays;

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

    /**
     * One channel of the cropped image (row-major) with its filtered mean and mean square (valid region, one array
     * per row).
     */
    private record Moments(double[] plane, double[][] mean, double[][] meanSquare) {
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

    /*
     * The filters below add the window's terms in the order k = 0..10, from zero, for every value: the same sums as
     * the direct form (acc += KERNEL[k] * v[x + k]) to the last bit. They run as whole-row loops over arrays that all
     * start at index 0 (a shifted row is copied first), the only shape JDK 17's C2 turns into vector instructions:
     * about twice as fast as the direct form (SsimDirectFormTest checks the bits against it).
     */

    /**
     * The mean of the SSIM map over the valid region of one channel: the output's plane {@code x} against the
     * reference's moments. The output's three planes (x, x squared, x times y) are filtered along the rows into a
     * ring of the last {@link #WINDOW} rows, and each output row of the map is filtered down the columns from that
     * ring and summed as it is made, left to right, top to bottom.
     */
    private static double channel(double[] x, Moments b, int w, int h) {
        double[] y = b.plane();
        int vw = w - WINDOW + 1;
        double[][] rx = new double[WINDOW][vw];
        double[][] rxx = new double[WINDOW][vw];
        double[][] rxy = new double[WINDOW][vw];
        double[] xs = new double[vw];
        double[] ys = new double[vw];
        double[] mux = new double[vw];
        double[] sxx = new double[vw];
        double[] sxy = new double[vw];
        double[] map = new double[vw];
        double sum = 0;
        for (int row = 0; row < h; row++) {
            double[] ax = rx[row % WINDOW];
            double[] axx = rxx[row % WINDOW];
            double[] axy = rxy[row % WINDOW];
            Arrays.fill(ax, 0);
            Arrays.fill(axx, 0);
            Arrays.fill(axy, 0);
            for (int k = 0; k < WINDOW; k++) {
                double kk = KERNEL[k];
                System.arraycopy(x, row * w + k, xs, 0, vw);
                System.arraycopy(y, row * w + k, ys, 0, vw);
                for (int i = 0; i < vw; i++) {
                    double v = xs[i];
                    ax[i] += kk * v;
                    axx[i] += kk * (v * v);
                    axy[i] += kk * (v * ys[i]);
                }
            }
            int top = row - WINDOW + 1;
            if (top < 0) {
                continue;
            }
            Arrays.fill(mux, 0);
            Arrays.fill(sxx, 0);
            Arrays.fill(sxy, 0);
            for (int k = 0; k < WINDOW; k++) {
                double kk = KERNEL[k];
                int slot = (top + k) % WINDOW;
                double[] fx = rx[slot];
                double[] fxx = rxx[slot];
                double[] fxy = rxy[slot];
                for (int i = 0; i < vw; i++) {
                    mux[i] += kk * fx[i];
                    sxx[i] += kk * fxx[i];
                    sxy[i] += kk * fxy[i];
                }
            }
            double[] my = b.mean()[top];
            double[] syy = b.meanSquare()[top];
            for (int i = 0; i < vw; i++) {
                double mx = mux[i];
                double muy = my[i];
                double vx = sxx[i] - mx * mx;
                double vy = syy[i] - muy * muy;
                double cov = sxy[i] - mx * muy;
                map[i] = ((2 * mx * muy + C1) * (2 * cov + C2)) / ((mx * mx + muy * muy + C1) * (vx + vy + C2));
            }
            for (int i = 0; i < vw; i++) {
                sum += map[i];
            }
        }
        return sum / ((double) vw * (h - WINDOW + 1));
    }

    /** The Gaussian-weighted mean of every full window, one array per row: along the rows, then down the columns. */
    private static double[][] valid(double[] p, int w, int h) {
        int vw = w - WINDOW + 1;
        int vh = h - WINDOW + 1;
        double[][] rows = new double[h][vw];
        double[] shifted = new double[vw];
        for (int y = 0; y < h; y++) {
            double[] acc = rows[y];
            for (int k = 0; k < WINDOW; k++) {
                double kk = KERNEL[k];
                System.arraycopy(p, y * w + k, shifted, 0, vw);
                for (int i = 0; i < vw; i++) {
                    acc[i] += kk * shifted[i];
                }
            }
        }
        double[][] out = new double[vh][vw];
        for (int y = 0; y < vh; y++) {
            double[] acc = out[y];
            for (int k = 0; k < WINDOW; k++) {
                double kk = KERNEL[k];
                double[] r = rows[y + k];
                for (int i = 0; i < vw; i++) {
                    acc[i] += kk * r[i];
                }
            }
        }
        return out;
    }
}
