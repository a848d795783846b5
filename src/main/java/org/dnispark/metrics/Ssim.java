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

    /** SSIM over the RGB channels (their mean). */
    public static double rgb(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return fromUint8(output.toUint8(), groundTruth.toUint8(), output.width(), output.height(),
                groundTruth.width(), groundTruth.height(), cropBorder, false);
    }

    /** SSIM on the Y channel. */
    public static double y(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return fromUint8(output.toUint8(), groundTruth.toUint8(), output.width(), output.height(),
                groundTruth.width(), groundTruth.height(), cropBorder, true);
    }

    /** SSIM of interleaved uint8 RGB images. */
    public static double fromUint8(byte[] a, byte[] b, int wa, int ha, int wb, int hb, int cropBorder,
            boolean yChannel) {
        if (wa != wb || ha != hb) {
            throw new IllegalArgumentException("SSIM needs equal sizes, got " + wa + "x" + ha + " and " + wb + "x" + hb);
        }
        int w = wa - 2 * cropBorder;
        int h = ha - 2 * cropBorder;
        if (cropBorder < 0 || w < WINDOW || h < WINDOW) {
            throw new IllegalArgumentException("SSIM needs at least " + WINDOW + "x" + WINDOW + " pixels after a crop "
                    + "border of " + cropBorder + "; the image is " + wa + "x" + ha);
        }
        if (yChannel) {
            return channel(plane(a, wa, cropBorder, w, h, -1), plane(b, wa, cropBorder, w, h, -1), w, h);
        }
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += channel(plane(a, wa, cropBorder, w, h, c), plane(b, wa, cropBorder, w, h, c), w, h);
        }
        return sum / 3;
    }

    /** One channel ({@code c} = 0, 1, 2) or the luma ({@code c} = -1) of the cropped image, row-major. */
    private static double[] plane(byte[] rgb, int width, int crop, int w, int h, int c) {
        double[] p = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * ((y + crop) * width + x + crop);
                p[y * w + x] = c < 0 ? Psnr.luma(rgb, i) : rgb[i + c] & 0xff;
            }
        }
        return p;
    }

    /** The mean of the SSIM map over the valid region of one channel. */
    private static double channel(double[] x, double[] y, int w, int h) {
        int n = w * h;
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        int vw = w - WINDOW + 1;
        int vh = h - WINDOW + 1;
        double[] mx = valid(x, w, h);
        double[] my = valid(y, w, h);
        double[] sxx = valid(xx, w, h);
        double[] syy = valid(yy, w, h);
        double[] sxy = valid(xy, w, h);
        double sum = 0;
        for (int i = 0; i < vw * vh; i++) {
            double mux = mx[i];
            double muy = my[i];
            double vx = sxx[i] - mux * mux;
            double vy = syy[i] - muy * muy;
            double cov = sxy[i] - mux * muy;
            sum += ((2 * mux * muy + C1) * (2 * cov + C2)) / ((mux * mux + muy * muy + C1) * (vx + vy + C2));
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
