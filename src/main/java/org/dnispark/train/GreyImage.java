package org.dnispark.train;

import org.dnispark.image.MatlabResize;
import org.dnispark.image.RgbImage;

/** A greyscale training photograph: values in [0, 1] on the 8-bit grid, row-major. */
public record GreyImage(String name, int width, int height, float[] values) {
    /** BT.601 luma weights as MATLAB's rgb2gray uses them (the greyscale test sets were made that way). */
    static final double[] LUMA = {0.298936021293775, 0.587043074451121, 0.114020904255103};

    /**
     * Greyscale version of a photograph, first shrunk by the smallest integer factor (MATLAB bicubic, with
     * anti-aliasing) that brings its longer side to at most {@code maxSide}; then rounded to 8 bits, as the
     * clean images of the test sets are.
     */
    public static GreyImage of(String name, RgbImage rgb, int maxSide) {
        RgbImage img = shrunk(rgb, maxSide);
        int w = img.width();
        int h = img.height();
        int plane = w * h;
        float[] d = img.data();
        float[] v = new float[plane];
        for (int i = 0; i < plane; i++) {
            double y = LUMA[0] * d[i] + LUMA[1] * d[plane + i] + LUMA[2] * d[2 * plane + i];
            v[i] = RgbImage.quantize((float) y) / 255f;
        }
        return new GreyImage(name, w, h, v);
    }

    /**
     * A training photograph shrunk by the smallest integer factor (MATLAB bicubic, with anti-aliasing) that brings its
     * longer side to at most {@code maxSide} (0: as it is).
     */
    static RgbImage shrunk(RgbImage rgb, int maxSide) {
        int longer = Math.max(rgb.width(), rgb.height());
        int factor = maxSide <= 0 ? 1 : (longer + maxSide - 1) / maxSide;
        return factor > 1 ? MatlabResize.downscale(rgb, factor) : rgb;
    }
}
