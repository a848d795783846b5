package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

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
 * The built-in SRVGGNetCompact against PyTorch (src/test/python/make_srvgg_fixtures.py): the real 2x-AniScale
 * checkpoint from waifu2x@1.6.5, a small random pair, and the pair interpolated at alpha 0.4.
 */
class SrvggNetCompactTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static ModelWeights pth(Path p) throws IOException {
        return TestModels.pth(p);
    }

    static void check(ModelWeights w, String fixture, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            RgbImage out = p.run(crop);
            float diff = TestModels.maxAbsDiff(out.data(), TestModels.readF32(TestModels.fixture(fixture)));
            assertTrue(diff < 1e-4, spec.name() + " max abs error " + diff + " (tile " + tile + ")");
        }
    }

    @Test
    void realCheckpointMatchesPyTorchWholeAndTiled() throws IOException {
        ModelWeights w = pth(TestModels.cache().resolve("waifu2x-1.6.5/models/2x-AniScale.pth"));
        assertEquals("SRVGGNetCompact(num_feat=64, num_conv=16, upscale=2)", ArchitectureRegistry.detect(w).name());
        check(w, "srvgg_anisc2x_astronaut.f32", 256);
        check(w, "srvgg_anisc2x_astronaut.f32", 12); // tiles with 18 pixels of context equal the whole image
    }

    @Test
    void endpointAndInterpolationMatchPyTorch() throws IOException {
        ModelWeights a = pth(TestModels.fixture("srvgg_small_a.pth"));
        ModelWeights b = pth(TestModels.fixture("srvgg_small_b.pth"));
        assertEquals(4, ArchitectureRegistry.detect(a).geometry().scale());
        check(a, "srvgg_small_a_astronaut.f32", 256);
        check(b, "srvgg_small_b_astronaut.f32", 256);
        check(Interpolation.lerp(a, b, 0.4, Interpolation.Options.defaults()), "srvgg_small_mix0.4_astronaut.f32", 16);
    }

    @Test
    void otherArchitecturesAreNamedInTheError() throws IOException {
        ModelWeights other = pth(TestModels.fixture("formats/mixed_a.pth"));
        String m = assertThrows(IllegalArgumentException.class, () -> ArchitectureRegistry.detect(other)).getMessage();
        assertTrue(m.contains("mixed_a.pth") && m.contains("no built-in architecture matches its "
                + other.tensorCount() + " tensors"), m);
        for (Architecture a : ArchitectureRegistry.builtIn()) {
            assertTrue(m.contains(a.id() + " (" + a.description() + ")"), a.id() + " not named in " + m);
        }
    }
}
