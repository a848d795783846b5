package org.dnispark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link Ssim}'s row-at-a-time filters give the same bits as the direct form of the same sums (each window value
 * added in the order k = 0..10, rows then columns, the map summed row-major): sizes whose valid width is and is not a
 * multiple of the vector width, the smallest valid size, crops, RGB and Y, the ground truth reused.
 */
class SsimDirectFormTest {
    @Test
    void sameBitsAsTheDirectForm() {
        Random random = new Random(29);
        int[][] sizes = {{11, 11, 0}, {12, 19, 0}, {37, 23, 3}, {64, 64, 4}, {83, 50, 1}, {256, 131, 4}};
        for (int[] size : sizes) {
            int w = size[0];
            int h = size[1];
            int crop = size[2];
            byte[] truth = new byte[3 * w * h];
            random.nextBytes(truth);
            Quantised reference = new Quantised(w, h, truth);
            for (int output = 0; output < 3; output++) {
                byte[] rgb = truth.clone();
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = (byte) (rgb[i] + random.nextInt(2 * output * 8 + 1) - output * 8);
                }
                Quantised out = new Quantised(w, h, rgb);
                for (boolean y : new boolean[] {false, true}) {
                    double expected = direct(out, reference, crop, y);
                    double actual = Ssim.score(out, reference, crop, y);
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                            w + "x" + h + " crop " + crop + (y ? " Y" : " RGB") + " output " + output + ": expected "
                                    + expected + ", got " + actual);
                }
            }
        }
    }

    private static double direct(Quantised a, Quantised b, int crop, boolean y) {
        if (y) {
            return channel(plane(a, crop, -1), plane(b, crop, -1), a.width() - 2 * crop, a.height() - 2 * crop);
        }
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += channel(plane(a, crop, c), plane(b, crop, c), a.width() - 2 * crop, a.height() - 2 * crop);
        }
        return sum / 3;
    }

    private static double[] plane(Quantised q, int crop, int c) {
        int w = q.width() - 2 * crop;
        int h = q.height() - 2 * crop;
        double[] p = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = (y + crop) * q.width() + x + crop;
                p[y * w + x] = c < 0 ? Psnr.luma(q.rgb(), 3 * at) : q.rgb()[3 * at + c] & 0xff;
            }
        }
        return p;
    }

    private static double channel(double[] x, double[] y, int w, int h) {
        double[] xx = new double[x.length];
        double[] yy = new double[x.length];
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] mx = filter(x, w, h);
        double[] my = filter(y, w, h);
        double[] sxx = filter(xx, w, h);
        double[] syy = filter(yy, w, h);
        double[] sxy = filter(xy, w, h);
        double sum = 0;
        for (int i = 0; i < mx.length; i++) {
            double vx = sxx[i] - mx[i] * mx[i];
            double vy = syy[i] - my[i] * my[i];
            double cov = sxy[i] - mx[i] * my[i];
            sum += ((2 * mx[i] * my[i] + Ssim.C1) * (2 * cov + Ssim.C2))
                    / ((mx[i] * mx[i] + my[i] * my[i] + Ssim.C1) * (vx + vy + Ssim.C2));
        }
        return sum / mx.length;
    }

    /** Every full window's Gaussian-weighted mean: along the rows, then down the columns, k = 0..10 from zero. */
    private static double[] filter(double[] p, int w, int h) {
        int vw = w - Ssim.WINDOW + 1;
        int vh = h - Ssim.WINDOW + 1;
        double[] kernel = new double[Ssim.WINDOW];
        double total = 0;
        for (int i = 0; i < Ssim.WINDOW; i++) {
            double x = i - (Ssim.WINDOW - 1) / 2.0;
            kernel[i] = Math.exp(-x * x / (2 * Ssim.SIGMA * Ssim.SIGMA));
            total += kernel[i];
        }
        for (int i = 0; i < Ssim.WINDOW; i++) {
            kernel[i] /= total;
        }
        double[] rows = new double[vw * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < vw; x++) {
                double acc = 0;
                for (int k = 0; k < Ssim.WINDOW; k++) {
                    acc += kernel[k] * p[y * w + x + k];
                }
                rows[y * vw + x] = acc;
            }
        }
        double[] out = new double[vw * vh];
        for (int y = 0; y < vh; y++) {
            for (int x = 0; x < vw; x++) {
                double acc = 0;
                for (int k = 0; k < Ssim.WINDOW; k++) {
                    acc += kernel[k] * rows[(y + k) * vw + x];
                }
                out[y * vw + x] = acc;
            }
        }
        return out;
    }
}
