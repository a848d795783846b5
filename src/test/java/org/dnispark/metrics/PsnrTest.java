package org.dnispark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.Test;

class PsnrTest {
    static RgbImage image(int w, int h, int... rgb) {
        byte[] b = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            b[i] = (byte) rgb[i];
        }
        return RgbImage.fromUint8(w, h, b);
    }

    @Test
    void handComputedRgb() {
        // 2x2 images, one channel value differs by 10: MSE = 100 / 12.
        RgbImage a = image(2, 2, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120);
        RgbImage b = image(2, 2, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 130);
        assertEquals(10 * Math.log10(255.0 * 255.0 * 12 / 100), Psnr.rgb(a, b, 0), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Psnr.rgb(a, a, 0));
    }

    @Test
    void handComputedYChannel() {
        // One pixel differs by 10 in green only: dY = 128.553 * 10 / 255, over 4 pixels.
        RgbImage a = image(2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        RgbImage b = image(2, 2, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        double dy = 128.553 * 10 / 255;
        assertEquals(10 * Math.log10(255.0 * 255.0 / (dy * dy / 4)), Psnr.y(a, b, 0), 1e-9);
        assertEquals(16.0, Psnr.luma(new byte[] {0, 0, 0}, 0), 1e-12);
        assertEquals(235.0, Psnr.luma(new byte[] {(byte) 255, (byte) 255, (byte) 255}, 0), 1e-9);
    }

    @Test
    void lumaPlaneHasTheFormulasBitsForEveryColour() {
        byte[] rgb = new byte[3 * 256 * 256];
        for (int r = 0; r < 256; r++) {
            for (int g = 0, i = 0; g < 256; g++) {
                for (int b = 0; b < 256; b++, i += 3) {
                    rgb[i] = (byte) r;
                    rgb[i + 1] = (byte) g;
                    rgb[i + 2] = (byte) b;
                }
            }
            double[] plane = Psnr.lumaPlane(rgb);
            for (int p = 0; p < plane.length; p++) {
                // MATLAB's rgb2ycbcr formula as written, on [0, 1] RGB
                double formula = 16.0 + 65.481 * (r / 255.0) + 128.553 * ((p / 256) / 255.0)
                        + 24.966 * ((p % 256) / 255.0);
                if (Double.doubleToRawLongBits(plane[p]) != Double.doubleToRawLongBits(formula)
                        || Double.doubleToRawLongBits(Psnr.luma(rgb, 3 * p)) != Double.doubleToRawLongBits(formula)) {
                    assertEquals(formula, plane[p], 0.0, "luma of " + r + ", " + (p / 256) + ", " + (p % 256));
                    assertEquals(formula, Psnr.luma(rgb, 3 * p), 0.0, "luma of " + r + ", " + (p / 256) + ", "
                            + (p % 256));
                }
            }
        }
    }

    @Test
    void cropBorderAndQuantisation() {
        // 3x3, only the border differs: cropping 1 pixel leaves identical centres.
        int[] px = new int[27];
        int[] qx = new int[27];
        for (int i = 0; i < 27; i++) {
            px[i] = 100;
            qx[i] = (i / 3 == 4) ? 100 : 0;
        }
        assertEquals(Double.POSITIVE_INFINITY, Psnr.rgb(image(3, 3, px), image(3, 3, qx), 1));
        // Float outputs are clamped and rounded: 1.2 -> 255, -0.1 -> 0, 0.5 -> 128 (127.5 rounds half to even).
        RgbImage f = new RgbImage(1, 1, new float[] {1.2f, -0.1f, 0.5f});
        assertEquals(Double.POSITIVE_INFINITY, Psnr.rgb(f, image(1, 1, 255, 0, 128), 0));
        assertThrows(IllegalArgumentException.class, () -> Psnr.rgb(image(3, 3, px), image(3, 3, qx), 2));
        assertThrows(IllegalArgumentException.class, () -> Psnr.rgb(image(1, 1, 1, 2, 3), image(3, 3, px), 0));
    }
}
