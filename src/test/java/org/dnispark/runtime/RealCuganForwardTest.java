package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real-CUGAN (squeeze-excitation, crops, element-wise ops, deconvolution) run from its ncnn graph, against the
 * independent PyTorch interpreter in src/test/python/make_realcugan_fixtures.py: one model, and three of the five
 * up2x levels interpolated with an explicit coefficient vector (paper Eq. 2).
 */
class RealCuganForwardTest {
    static final double TOLERANCE = 1e-4;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static NcnnModel model(String level) {
        return TestModels.read(TestModels.cache().resolve("waifu2x-1.6.5/real-cugan/models-se/up2x-" + level));
    }

    @Test
    void geometryFromTheGraph() {
        NetworkGeometry g = NcnnGraphGeometry.of(model("conservative").graph());
        assertEquals(2, g.scale());
        assertEquals(18, g.prePad());
        assertEquals(2, g.alignment());
        assertTrue(g.globalStatistics());
    }

    @Test
    void oneModelMatchesPyTorch() {
        NcnnModel m = model("conservative");
        RgbImage crop = TestModels.readImage(TestModels.fixture("chelsea_32.png"));
        // A tile size below the image: squeeze-excitation needs the whole image, so the predictor ignores it.
        try (TiledPredictor p = new TiledPredictor(m.graph(), 16, 1, null, true)) {
            p.setWeights(m.weights());
            RgbImage out = p.run(crop);
            assertEquals(64, out.width());
            float diff = TestModels.maxAbsDiff(out.data(),
                    TestModels.readF32(TestModels.fixture("realcugan_conservative_chelsea_32.f32")));
            assertTrue(diff < TOLERANCE, "max abs error " + diff);
        }
    }

    @Test
    void threeModelInterpolationMatchesPyTorch() {
        List<ModelWeights> ws = new ArrayList<>();
        for (String level : List.of("no-denoise", "denoise1x", "denoise3x")) {
            ws.add(model(level).weights());
        }
        ModelWeights mix = Interpolation.interpolate(ws, new double[] {0.2, 0.5, 0.3},
                Interpolation.Options.defaults());
        RgbImage crop = TestModels.readImage(TestModels.fixture("chelsea_32.png"));
        try (TiledPredictor p = new TiledPredictor(model("no-denoise").graph(), 256, 1, null, true)) {
            p.setWeights(mix);
            float diff = TestModels.maxAbsDiff(p.run(crop).data(),
                    TestModels.readF32(TestModels.fixture("realcugan_mix_0.2_0.5_0.3_chelsea_32.f32")));
            assertTrue(diff < TOLERANCE, "max abs error " + diff);
        }
    }

    @Test
    void oddSizesArePaddedToTheAlignmentAndCroppedBack() {
        NcnnModel m = model("denoise2x");
        RgbImage img = TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(10, 10, 37, 29);
        try (TiledPredictor p = new TiledPredictor(m.graph(), 256, 1, null, true)) {
            p.setWeights(m.weights());
            RgbImage out = p.run(img);
            assertEquals(74, out.width());
            assertEquals(58, out.height());
        }
    }
}
