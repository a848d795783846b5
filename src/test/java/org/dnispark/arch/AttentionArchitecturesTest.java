package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * The attention architectures against spandrel's own network code (src/test/python/make_attention_fixtures.py, at
 * spandrel b0c3eb2): every reconstruction variant on crops that need window padding, a correlated pair and its
 * interpolation at alpha 0.4, and refusals that name the key.
 */
class AttentionArchitecturesTest {
    static final double TOLERANCE = 2e-5;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static ModelWeights model(String name) throws IOException {
        return TestModels.pth(TestModels.fixture(name));
    }

    /** The relative max abs error of {@code w} on the crop's top-left {@code width x height}. */
    static double check(ModelWeights w, String fixture, int width, int height) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        RgbImage in = width == crop.width() && height == crop.height() ? crop : crop.crop(0, 0, width, height, false);
        float[] ref = TestModels.readF32(TestModels.fixture(fixture));
        for (int tile : new int[] {256, 12}) { // whole-image networks ignore the tile size
            try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
                p.setWeights(w);
                double err = TestModels.relativeError(p.run(in).data(), ref);
                TestModels.reportError(spec.name(), fixture, tile, err);
                assertTrue(err < TOLERANCE, spec.name() + " relative max abs error " + err + " (tile " + tile + ")");
            }
        }
        return 0;
    }

    @Test
    void swinIrMatchesSpandrelInEveryReconstruction() throws IOException {
        ModelWeights a = model("swinir_classical_x2_a.pth");
        ModelWeights b = model("swinir_classical_x2_b.pth");
        NetworkSpec spec = ArchitectureRegistry.detect(a);
        assertEquals("SwinIR(embed_dim=12, depths=[2, 2], num_heads=[2, 3], window_size=8, mlp_ratio=2.0, upscale=2, "
                + "upsampler=pixelshuffle)", spec.name());
        assertTrue(spec.geometry().globalStatistics(), "shifted windows: whole image only");
        check(a, "swinir_classical_x2_a_astronaut40x36.f32", 40, 36);
        check(b, "swinir_classical_x2_b_astronaut40x36.f32", 40, 36);
        check(Interpolation.lerp(a, b, 0.4, Interpolation.Options.defaults()),
                "swinir_classical_x2_mix0.4_astronaut40x36.f32", 40, 36);
        check(model("swinir_light_x3.pth"), "swinir_light_x3_astronaut27x30.f32", 27, 30);
        check(model("swinir_real_x4.pth"), "swinir_real_x4_astronaut18x20.f32", 18, 20);
        check(model("swinir_denoise_x1.pth"), "swinir_denoise_x1_astronaut33x30.f32", 33, 30);
    }

    @Test
    void datMatchesSpandrelInBothReconstructions() throws IOException {
        ModelWeights a = model("dat_x2_a.pth");
        ModelWeights b = model("dat_x2_b.pth");
        NetworkSpec spec = ArchitectureRegistry.detect(a);
        assertEquals("DAT(embed_dim=32, depth=[3, 2], num_heads=[2, 4], split_size=[2, 4], expansion_factor=2.0, "
                + "upscale=2)", spec.name());
        assertTrue(spec.geometry().globalStatistics(), "channel interaction pools the whole image");
        check(a, "dat_x2_a_astronaut22x18.f32", 22, 18);
        check(b, "dat_x2_b_astronaut22x18.f32", 22, 18);
        check(Interpolation.lerp(a, b, 0.4, Interpolation.Options.defaults()), "dat_x2_mix0.4_astronaut22x18.f32", 22,
                18);
        check(model("dat_light_x3.pth"), "dat_light_x3_astronaut15x13.f32", 15, 13);
    }

    @Test
    void omniSrMatchesSpandrel() throws IOException {
        ModelWeights a = model("omnisr_x2_a.pth");
        ModelWeights b = model("omnisr_x2_b.pth");
        NetworkSpec spec = ArchitectureRegistry.detect(a);
        assertEquals("OmniSR(num_feat=16, res_num=2, block_num=1, window_size=8, up_scale=2)", spec.name());
        assertTrue(spec.geometry().globalStatistics(), "squeeze-excitation pools the whole image");
        check(a, "omnisr_x2_a_astronaut40x36.f32", 40, 36);
        check(b, "omnisr_x2_b_astronaut40x36.f32", 40, 36);
        check(Interpolation.lerp(a, b, 0.4, Interpolation.Options.defaults()), "omnisr_x2_mix0.4_astronaut40x36.f32",
                40, 36);
        ModelWeights x3 = model("omnisr_x3.pth");
        assertEquals("OmniSR(num_feat=16, res_num=1, block_num=2, window_size=8, up_scale=3, pe=False, bias=False)",
                ArchitectureRegistry.detect(x3).name());
        check(x3, "omnisr_x3_astronaut19x21.f32", 19, 21);
    }

    @Test
    void aRealTrainedOmniSrMatchesSpandrel() throws IOException {
        // 4x_WTP_descreenton from waifu2x@1.6.5 (the model cache): 5 groups, window 8, x4
        ModelWeights w = TestModels.pth(TestModels.cache().resolve("waifu2x-1.6.5/models/4x_WTP_descreenton.pth"));
        assertEquals("OmniSR(num_feat=64, res_num=5, block_num=1, window_size=8, up_scale=4)",
                ArchitectureRegistry.detect(w).name());
        check(w, "omnisr_wtp_descreenton_astronaut40x36.f32", 40, 36);
    }

    @Test
    void swinIrWithAForeignPositionIndexIsRefusedByKey() throws IOException {
        ModelWeights a = model("swinir_classical_x2_a.pth");
        java.util.List<org.dnispark.core.NamedTensor> t = new java.util.ArrayList<>();
        for (org.dnispark.core.NamedTensor x : a.tensors()) {
            if (x.name().equals("layers.1.residual_group.blocks.1.attn.relative_position_index")) {
                long[] v = x.longValues().clone();
                v[5] = 0;
                x = org.dnispark.core.NamedTensor.ofLongs(x.name(), x.shape(), x.dtype(), v);
            }
            t.add(x);
        }
        ModelWeights bad = new ModelWeights(a.label(), t);
        String m = assertThrows(IllegalArgumentException.class, () -> ArchitectureRegistry.detect(bad)).getMessage();
        assertTrue(m.contains("layers.1.residual_group.blocks.1.attn.relative_position_index")
                && m.contains("window of 8"), m);
    }
}
