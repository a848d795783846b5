package org.dnispark.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;

class ImageTest {
    static RgbImage ramp(int w, int h) {
        float[] d = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = (10 * x + c) / 255f; // values 10*x + c in 0..255
                }
            }
        }
        return new RgbImage(w, h, d);
    }

    @Test
    void matlabBicubicReproducesLinearRampsInTheInterior() {
        // Cubic kernels reproduce linear functions; output o (0-based) samples input position 2*o + 0.5.
        RgbImage out = MatlabResize.downscale(ramp(24, 8), 2);
        assertEquals(12, out.width());
        assertEquals(4, out.height());
        for (int o = 2; o < 10; o++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(20 * o + 5 + c, Math.round(out.get(c, 1, o) * 255), "column " + o);
            }
        }
    }

    @Test
    void matlabBicubicKeepsConstantsAndUsesSymmetricEdges() {
        float[] d = new float[3 * 16];
        Arrays.fill(d, 77 / 255f);
        RgbImage out = MatlabResize.downscale(new RgbImage(4, 4, d), 2);
        for (float v : out.data()) {
            assertEquals(77, Math.round(v * 255));
        }
        // Contribution weights sum to 1 and the 8-tap antialiased kernel mirrors indices at the edges.
        MatlabResize.Contributions c = new MatlabResize.Contributions(8, 4, 0.5);
        assertEquals(10, c.taps);
        double sum = 0;
        for (int t = 0; t < c.taps; t++) {
            sum += c.weights[t];
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(3, c.indices[0]); // MATLAB's 1-based index -3 mirrors to 4 (0-based 3)
        assertEquals(0.0, MatlabResize.cubic(2), 0.0);
        assertEquals(1.0, MatlabResize.cubic(0), 0.0);
    }

    @Test
    void degradationsAreSeededPerImage() {
        RgbImage img = TestModels.readImage(TestModels.demoImage("coffee.png")).modCrop(2);
        List<DegradationStep> chain = List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40),
                DegradationStep.gaussianNoise(10, false));
        RgbImage a = DegradationStep.applyAll(chain, img, 2, 42, "coffee");
        RgbImage b = DegradationStep.applyAll(chain, img, 2, 42, "coffee");
        RgbImage c = DegradationStep.applyAll(chain, img, 2, 42, "other-name");
        RgbImage d = DegradationStep.applyAll(chain, img, 2, 43, "coffee");
        assertEquals(img.width() / 2, a.width());
        assertArrayEquals(a.data(), b.data());
        assertFalse(Arrays.equals(a.data(), c.data()));
        assertFalse(Arrays.equals(a.data(), d.data()));
        // Unclipped noise leaves [0, 1] somewhere on a real photo; the clipped variant never does.
        RgbImage noisy = DegradationStep.gaussianNoise(50, false).apply(img, 1, 1);
        RgbImage clipped = DegradationStep.gaussianNoise(50, true).apply(img, 1, 1);
        assertTrue(max(noisy.data()) > 1f);
        assertTrue(max(clipped.data()) <= 1f);
    }

    @Test
    void greyImagesGetOneNoisePlaneOfTheFullSigma() {
        int w = 64;
        int h = 48;
        float[] d = new float[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            d[i] = d[w * h + i] = d[2 * w * h + i] = (i % w) / (float) w;
        }
        RgbImage noisy = DegradationStep.gaussianNoise(30, false).apply(new RgbImage(w, h, d), 1, 5);
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < w * h; i++) {
            assertEquals(noisy.data()[i], noisy.data()[w * h + i]);
            assertEquals(noisy.data()[i], noisy.data()[2 * w * h + i]);
            double e = (noisy.data()[i] - d[i]) * 255.0;
            sum += e;
            sq += e * e;
        }
        double n = w * h;
        double std = Math.sqrt(sq / n - (sum / n) * (sum / n));
        assertEquals(30, std, 1.5, "noise sigma of a grey image");
        // a colour image gets independent planes
        float[] colour = d.clone();
        colour[0] = 0.9f;
        RgbImage c = DegradationStep.gaussianNoise(30, false).apply(new RgbImage(w, h, colour), 1, 5);
        assertFalse(c.data()[1] == c.data()[w * h + 1]);
    }

    static float max(float[] v) {
        float m = -Float.MAX_VALUE;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    @Test
    void brokenImagesGetClearErrors() {
        String empty = assertThrows(ImageCodec.BadImageException.class,
                () -> ImageCodec.decode(new byte[0], "empty.png")).getMessage();
        assertTrue(empty.contains("empty.png") && empty.contains("empty"), empty);
        String text = assertThrows(ImageCodec.BadImageException.class,
                () -> ImageCodec.decode("hello".getBytes(), "notes.png")).getMessage();
        assertTrue(text.contains("notes.png") && text.contains("not a recognised image"), text);
        byte[] png = ImageCodec.encodePng(ramp(16, 16));
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        String trunc = assertThrows(ImageCodec.BadImageException.class,
                () -> ImageCodec.decode(cut, "cut.png")).getMessage();
        assertTrue(trunc.contains("cut.png") && trunc.contains("cannot decode"), trunc);
        // A PNG header declaring 100000 x 100000 pixels is refused before decoding.
        byte[] bomb = Arrays.copyOf(png, png.length);
        java.nio.ByteBuffer.wrap(bomb).putInt(16, 100_000).putInt(20, 100_000);
        String big = assertThrows(ImageCodec.BadImageException.class,
                () -> ImageCodec.decode(bomb, "bomb.png")).getMessage();
        assertTrue(big.contains("bomb.png") && big.contains("100000x100000"), big);
    }

    @Test
    void pngRoundTripIsLossless() {
        RgbImage img = TestModels.readImage(TestModels.demoImage("chelsea.png"));
        RgbImage back = ImageCodec.decode(ImageCodec.encodePng(img), "x");
        assertArrayEquals(img.toUint8(), back.toUint8());
    }
}
