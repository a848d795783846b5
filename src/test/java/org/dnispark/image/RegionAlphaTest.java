package org.dnispark.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.dnispark.metrics.NoiseEstimate;
import org.junit.jupiter.api.Test;

class RegionAlphaTest {

    /** Left half flat grey, right half a fine checkerboard (texture), plus Gaussian noise of {@code sigma}/255. */
    static RgbImage halves(int w, int h, double sigma, long seed) {
        Random r = new Random(seed);
        float[] d = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = x < w / 2 ? 0.5f : (((x / 2) + (y / 2)) % 2 == 0 ? 0.25f : 0.75f);
                float n = (float) (r.nextGaussian() * sigma / 255);
                for (int c = 0; c < 3; c++) {
                    d[c * w * h + y * w + x] = v + n;
                }
            }
        }
        return new RgbImage(w, h, d);
    }

    @Test
    void theNoiseEstimateFindsTheSigmaOfGaussianNoiseOnAFlatImage() {
        for (double sigma : new double[] {10, 25, 50}) {
            RgbImage flat = halves(200, 200, sigma, 3);
            RgbImage left = flat.cropReplicate(0, 0, 100, 200);
            assertEquals(sigma, NoiseEstimate.sigma(left), sigma * 0.05, "sigma " + sigma);
        }
        assertEquals(0, NoiseEstimate.sigma(halves(2, 2, 10, 1)));
    }

    @Test
    void flatRegionsGetTheFlatAlphaAndTexturedOnesMoveTowardsTheTexturedAlpha() {
        int w = 160;
        int h = 80;
        RgbImage img = halves(w, h, 20, 5);
        double[] levels = {0.2, 0.5, 0.8};
        float[] map = RegionAlpha.map(img, 4, 0.8, 0.2, levels);
        double flat = 0;
        double textured = 0;
        for (int y = 20; y < 60; y++) {
            flat += map[y * w + 20];
            textured += map[y * w + 140];
        }
        flat /= 40;
        textured /= 40;
        assertTrue(flat > 0.7, "flat region alpha " + flat);
        assertTrue(textured < 0.45, "textured region alpha " + textured);
        for (float a : map) {
            assertTrue(a >= 0.2f && a <= 0.8f, "alpha " + a + " outside the levels");
        }
        // smooth: even across the hard edge between the halves, the map changes by at most the alpha range over the
        // window's standard deviation (4 pixels) from one pixel to the next
        double steepest = 0;
        for (int x = 1; x < w; x++) {
            steepest = Math.max(steepest, Math.abs(map[40 * w + x] - map[40 * w + x - 1]));
        }
        assertTrue(steepest < 0.6 / 4, "steepest step " + steepest);
    }

    @Test
    void theCompositeBlendsTheTwoLevelsEitherSideOfEachPixelsAlpha() {
        int w = 4;
        int h = 1;
        RgbImage[] outs = new RgbImage[3];
        for (int k = 0; k < 3; k++) {
            float[] d = new float[3 * w * h];
            java.util.Arrays.fill(d, k * 10f);
            outs[k] = new RgbImage(w, h, d);
        }
        double[] levels = {0.2, 0.5, 0.8};
        float[] alpha = {0.2f, 0.35f, 0.5f, 0.8f};
        RgbImage c = RegionAlpha.composite(outs, levels, alpha, w, 1);
        assertEquals(0f, c.get(0, 0, 0), 1e-6);
        assertEquals(5f, c.get(1, 0, 1), 1e-5); // halfway between 0.2 (0) and 0.5 (10)
        assertEquals(10f, c.get(2, 0, 2), 1e-5);
        assertEquals(20f, c.get(0, 0, 3), 1e-5);
        // an output twice the map's size reads the map at half its coordinates
        RgbImage[] big = new RgbImage[3];
        for (int k = 0; k < 3; k++) {
            float[] d = new float[3 * 8 * 2];
            java.util.Arrays.fill(d, k * 10f);
            big[k] = new RgbImage(8, 2, d);
        }
        RgbImage c2 = RegionAlpha.composite(big, levels, alpha, w, 2);
        assertEquals(5f, c2.get(0, 1, 3), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> RegionAlpha.composite(outs, new double[] {0.5, 0.2, 0.8},
                alpha, w, 1));
    }
}
