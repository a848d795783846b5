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

/** SRCNN-style and MSRResNet against PyTorch (src/test/python/make_srcnn_msrresnet_fixtures.py). */
class SimpleNetworksTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static void check(ModelWeights w, RgbImage in, String fixture, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            float diff = TestModels.maxAbsDiff(p.run(in).data(), TestModels.readF32(TestModels.fixture(fixture)));
            assertTrue(diff < 1e-4, spec.name() + " max abs error " + diff + " (tile " + tile + ")");
        }
    }

    @Test
    void srcnnStyleEndpointAndMidpoint() throws IOException {
        ModelWeights a = SrvggNetCompactTest.pth(TestModels.fixture("srcnn_a.pth"));
        ModelWeights b = SrvggNetCompactTest.pth(TestModels.fixture("srcnn_b.pth"));
        assertEquals("SRCNN-style(conv1 9x9, conv2 5x5, conv3 9x9)", ArchitectureRegistry.detect(a).name());
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        check(a, crop, "srcnn_a_astronaut.f32", 256);
        check(a, crop, "srcnn_a_astronaut.f32", 9);
        check(b, crop, "srcnn_b_astronaut.f32", 256);
        check(Interpolation.lerp(a, b, 0.5, Interpolation.Options.defaults()), crop, "srcnn_mix0.5_astronaut.f32", 256);
    }

    @Test
    void msrResNetX4AndX2() throws IOException {
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png")).cropReplicate(0, 0, 24, 20);
        ModelWeights x4 = SrvggNetCompactTest.pth(TestModels.fixture("msrresnet_x4.pth"));
        ModelWeights x2 = SrvggNetCompactTest.pth(TestModels.fixture("msrresnet_x2.pth"));
        assertEquals("MSRResNet(scale=4, num_feat=8, num_block=2)", ArchitectureRegistry.detect(x4).name());
        check(x4, crop, "msrresnet_x4_astronaut20x24.f32", 256);
        check(x2, crop, "msrresnet_x2_astronaut20x24.f32", 256);
        check(x2, crop, "msrresnet_x2_astronaut20x24.f32", 6);
        ModelWeights x4b = SrvggNetCompactTest.pth(TestModels.fixture("msrresnet_x4_b.pth"));
        check(x4b, crop, "msrresnet_x4_b_astronaut20x24.f32", 256);
        check(Interpolation.lerp(x4, x4b, 0.5, Interpolation.Options.defaults()), crop,
                "msrresnet_x4_mix0.5_astronaut20x24.f32", 256);
    }
}
