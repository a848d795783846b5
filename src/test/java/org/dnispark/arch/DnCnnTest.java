package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.runtime.Engines;

/**
 * The built-in DnCNN against PyTorch (src/test/python/make_dncnn_fixtures.py): batch norm with running statistics,
 * and an interpolation that mixes every parameter and running statistic (num_batches_tracked by rule).
 */
class DnCnnTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static void check(ModelWeights w, String fixture, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            float diff = TestModels.maxAbsDiff(p.run(crop).data(), TestModels.readF32(TestModels.fixture(fixture)));
            assertTrue(diff < 1e-4, spec.name() + " max abs error " + diff + " (tile " + tile + ")");
        }
    }

    @Test
    void endpointAndInterpolationMatchPyTorch() throws IOException {
        ModelWeights a = SrvggNetCompactTest.pth(TestModels.fixture("dncnn_small_a.pth"));
        ModelWeights b = SrvggNetCompactTest.pth(TestModels.fixture("dncnn_small_b.pth"));
        assertEquals("DnCNN(channels=3, depth=5, features=8)", ArchitectureRegistry.detect(a).name());
        check(a, "dncnn_small_a_astronaut.f32", 256);
        check(a, "dncnn_small_a_astronaut.f32", 10);
        check(b, "dncnn_small_b_astronaut.f32", 256);
        ModelWeights mix = Interpolation.lerp(a, b, 0.25, Interpolation.Options.defaults());
        assertEquals(1001L, mix.get("model.3.num_batches_tracked").longValues()[0]);
        check(mix, "dncnn_small_mix0.25_astronaut.f32", 256);
    }

    @Test
    void kairsReleasedLayoutWithoutBatchNormAndGreyscale() throws IOException {
        ModelWeights g = SrvggNetCompactTest.pth(TestModels.fixture("dncnn17_gray_nobn.pth"));
        assertEquals("DnCNN(channels=1, depth=17, features=8)", ArchitectureRegistry.detect(g).name());
        check(g, "dncnn17_gray_astronaut.f32", 256);
        check(g, "dncnn17_gray_astronaut.f32", 12);
    }
}
