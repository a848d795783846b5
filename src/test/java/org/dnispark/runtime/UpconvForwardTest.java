package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java forward pass of waifu2x upconv_7 (ncnn graph interpreter on DJL, polyphase deconvolution) against the
 * independent reference in src/test/python/make_fixtures.py (numpy parsing, PyTorch conv_transpose2d), on a real
 * photo crop.
 */
class UpconvForwardTest {
    static final double TOLERANCE = 1e-4;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @Test
    void endpointMatchesPyTorchReference() {
        NcnnModel model = TestModels.readUpconv7("noise1_scale2.0x");
        RgbImage crop = TestModels.readImage(TestModels.fixture("coffee_48.png"));
        try (TiledPredictor p = new TiledPredictor(model.graph(), 1024)) {
            p.setWeights(model.weights());
            RgbImage out = p.run(crop);
            assertEquals(96, out.width());
            assertEquals(96, out.height());
            float diff = TestModels.maxAbsDiff(out.data(), TestModels.readF32(TestModels.fixture("upconv7_noise1_coffee_48.f32")));
            assertTrue(diff < TOLERANCE, "max abs error " + diff);
        }
    }

    @Test
    void interpolatedModelMatchesPyTorchReference() {
        NcnnModel a = TestModels.readUpconv7("noise0_scale2.0x");
        NcnnModel b = TestModels.readUpconv7("noise3_scale2.0x");
        ModelWeights mix = Interpolation.lerp(a.weights(), b.weights(), 0.3, Interpolation.Options.defaults());
        RgbImage crop = TestModels.readImage(TestModels.fixture("coffee_48.png"));
        try (TiledPredictor p = new TiledPredictor(a.graph(), 1024)) {
            p.setWeights(mix);
            float diff = TestModels.maxAbsDiff(p.run(crop).data(),
                    TestModels.readF32(TestModels.fixture("upconv7_noise0_noise3_alpha0.3_coffee_48.f32")));
            assertTrue(diff < TOLERANCE, "max abs error " + diff);
        }
    }

    @Test
    void batchedTilesEqualOneTileAtATime() {
        NcnnModel model = TestModels.readUpconv7("noise1_scale2.0x");
        RgbImage img = TestModels.readImage(TestModels.demoImage("astronaut.png")).cropReplicate(0, 0, 100, 90);
        try (TiledPredictor single = new TiledPredictor(model.graph(), 32, 1, null);
                TiledPredictor batched = new TiledPredictor(model.graph(), 32, 4, null)) {
            single.setWeights(model.weights());
            batched.setWeights(model.weights());
            float diff = TestModels.maxAbsDiff(single.run(img).data(), batched.run(img).data());
            assertTrue(diff < 1e-5, "batched vs single max abs diff " + diff);
        }
    }

    @Test
    void tiledEqualsWholeImage() {
        NcnnModel model = TestModels.readUpconv7("noise2_scale2.0x");
        RgbImage img = TestModels.readImage(TestModels.demoImage("chelsea.png")).cropReplicate(20, 30, 77, 61);
        try (TiledPredictor whole = new TiledPredictor(model.graph(), 4096);
                TiledPredictor tiled = new TiledPredictor(model.graph(), 24)) {
            whole.setWeights(model.weights());
            tiled.setWeights(model.weights());
            RgbImage a = whole.run(img);
            RgbImage b = tiled.run(img);
            assertEquals(a.width(), b.width());
            float diff = TestModels.maxAbsDiff(a.data(), b.data());
            assertTrue(diff < 1e-5, "tiled vs whole max abs diff " + diff);
        }
    }
}
