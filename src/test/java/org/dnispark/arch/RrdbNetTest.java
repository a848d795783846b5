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

/** The built-in RRDBNet (ESRGAN) against PyTorch (src/test/python/make_rrdb_fixtures.py): x4, x2, and a x4 mix. */
class RrdbNetTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static void check(ModelWeights w, String fixture, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png")).cropReplicate(0, 0, 24, 20);
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            float diff = TestModels.maxAbsDiff(p.run(crop).data(), TestModels.readF32(TestModels.fixture(fixture)));
            assertTrue(diff < 1e-4, spec.name() + " max abs error " + diff + " (tile " + tile + ")");
        }
    }

    @Test
    void x4x2AndAnInterpolatedPairMatchPyTorch() throws IOException {
        ModelWeights a = SrvggNetCompactTest.pth(TestModels.fixture("rrdb_x4_a.pth"));
        ModelWeights b = SrvggNetCompactTest.pth(TestModels.fixture("rrdb_x4_b.pth"));
        ModelWeights x2 = SrvggNetCompactTest.pth(TestModels.fixture("rrdb_x2.pth"));
        assertEquals("RRDBNet(scale=4, num_feat=8, num_block=2, num_grow_ch=4)", ArchitectureRegistry.detect(a).name());
        assertEquals(2, ArchitectureRegistry.detect(x2).geometry().alignment());
        check(a, "rrdb_x4_a_astronaut20x24.f32", 256);
        check(b, "rrdb_x4_b_astronaut20x24.f32", 256);
        check(x2, "rrdb_x2_astronaut20x24.f32", 256);
        check(x2, "rrdb_x2_astronaut20x24.f32", 8); // tiles with 76 pixels of context equal the whole image
        check(Interpolation.lerp(a, b, 0.7, Interpolation.Options.defaults()), "rrdb_x4_mix0.7_astronaut20x24.f32",
                256);
    }
}
