package org.dnispark.metrics;

import org.dnispark.image.RgbImage;

/**
 * PSNR with BasicSR's conventions: both images quantised to uint8 (clamp, {@code round(x*255)}), {@code cropBorder}
 * pixels removed from every edge, the mean squared error in double precision, {@code 10*log10(255^2/MSE)}, and
 * infinity for identical images. The Y channel is BT.601 with MATLAB's coefficients on [0,1] RGB, scaled to
 * [16, 235] and not rounded.
 */
public final class Psnr {
    /** PSNR over RGB, in the registry as {@code rgb}. */
    public static final Metric RGB = new Entry(false);
    /** PSNR on the luma, in the registry as {@code y} (the SR convention). */
    public static final Metric Y = new Entry(true);

    private Psnr() {
    }

    /** The registry's entries: higher is better, in dB, four decimals. */
    private static final Metric.Description RGB_DESCRIPTION = new Metric.Description("rgb", "psnr_rgb", "PSNR-RGB", "dB", 4,
            Metric.Direction.HIGHER, true);
    private static final Metric.Description Y_DESCRIPTION = new Metric.Description("y", "psnr_y", "PSNR-Y", "dB", 4,
            Metric.Direction.HIGHER, true);

    private record Entry(boolean yChannel) implements Metric {
        @Override
        public Description description() {
            return yChannel ? Y_DESCRIPTION : RGB_DESCRIPTION;
        }

        @Override
        public long referenceBytesPerPixel() {
            return yChannel ? 8 : 0; // the luma plane
        }

        @Override
        public String refusal(int width, int height, int cropBorder) {
            return Metric.cropRefusal(width, height, cropBorder);
        }

        @Override
        public double score(Quantised output, Quantised reference, int cropBorder) {
            return Psnr.score(output, reference, cropBorder, yChannel);
        }
    }

    /** PSNR over the three RGB channels. */
    public static double rgb(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return score(Quantised.of(output), Quantised.of(groundTruth), cropBorder, false);
    }

    /** PSNR on the Y channel. */
    public static double y(RgbImage output, RgbImage groundTruth, int cropBorder) {
        return score(Quantised.of(output), Quantised.of(groundTruth), cropBorder, true);
    }

    /** PSNR of interleaved uint8 RGB images. */
    public static double fromUint8(byte[] a, byte[] b, int wa, int ha, int wb, int hb, int cropBorder,
            boolean yChannel) {
        return score(new Quantised(wa, ha, a), new Quantised(wb, hb, b), cropBorder, yChannel);
    }

    /** PSNR of two quantised images; the luma planes are each image's own, made once. */
    static double score(Quantised qa, Quantised qb, int cropBorder, boolean yChannel) {
        int wa = qa.width();
        int ha = qa.height();
        int wb = qb.width();
        int hb = qb.height();
        if (wa != wb || ha != hb) {
            throw new IllegalArgumentException("PSNR needs equal sizes, got " + wa + "x" + ha + " and " + wb + "x" + hb);
        }
        if (cropBorder < 0 || 2 * cropBorder >= wa || 2 * cropBorder >= ha) {
            throw new IllegalArgumentException("crop border " + cropBorder + " leaves nothing of a " + wa + "x" + ha
                    + " image");
        }
        byte[] a = qa.rgb();
        byte[] b = qb.rgb();
        double[] la = yChannel ? qa.luma() : null;
        double[] lb = yChannel ? qb.luma() : null;
        double sum = 0;
        long n = 0;
        for (int y = cropBorder; y < ha - cropBorder; y++) {
            for (int x = cropBorder; x < wa - cropBorder; x++) {
                int i = 3 * (y * wa + x);
                if (yChannel) {
                    double d = la[y * wa + x] - lb[y * wa + x];
                    sum += d * d;
                    n++;
                } else {
                    for (int c = 0; c < 3; c++) {
                        double d = (a[i + c] & 0xff) - (b[i + c] & 0xff);
                        sum += d * d;
                        n++;
                    }
                }
            }
        }
        double mse = sum / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    // each channel's term of the luma for every byte value, coefficient * (v / 255.0): the luma is their sum after
    // 16.0, the same additions as the formula's, without three divisions per pixel (PsnrTest checks every colour's
    // bits against the formula)
    private static final double[] LUMA_R = term(65.481);
    private static final double[] LUMA_G = term(128.553);
    private static final double[] LUMA_B = term(24.966);

    private static double[] term(double coefficient) {
        double[] t = new double[256];
        for (int v = 0; v < 256; v++) {
            t[v] = coefficient * (v / 255.0);
        }
        return t;
    }

    /**
     * BT.601 luma in [16, 235] from uint8 RGB, MATLAB's rgb2ycbcr coefficients:
     * {@code 16 + 65.481 r + 128.553 g + 24.966 b} on [0, 1] RGB, not rounded.
     */
    static double luma(byte[] rgb, int i) {
        return 16.0 + LUMA_R[rgb[i] & 0xff] + LUMA_G[rgb[i + 1] & 0xff] + LUMA_B[rgb[i + 2] & 0xff];
    }

    /** {@link #luma(byte[], int)} of every pixel of interleaved uint8 RGB. */
    static double[] lumaPlane(byte[] rgb) {
        double[] y = new double[rgb.length / 3];
        for (int p = 0; p < y.length; p++) {
            y[p] = luma(rgb, 3 * p);
        }
        return y;
    }
}
