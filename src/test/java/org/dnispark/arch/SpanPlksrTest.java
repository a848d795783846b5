package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.runtime.Engines;

/**
 * SPAN, RealPLKSR and PLKSR against spandrel's own network code (src/test/python/make_span_plksr_fixtures.py, at
 * spandrel b0c3eb2): each variant's output on the astronaut crop, whole and tiled, both endpoints of a correlated
 * pair and their interpolation at alpha 0.4; and refusals that name the key.
 */
class SpanPlksrTest {
    /** Relative to the reference's largest magnitude (random SPAN weights reach +-14; trained models stay in 0..1). */
    static final double TOLERANCE = 2e-5;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static ModelWeights model(String name) throws IOException {
        return TestModels.pth(TestModels.fixture(name));
    }

    /** The largest error relative to the reference's range, whole-image and with small tiles. */
    static double check(ModelWeights w, String fixture, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        float[] ref = TestModels.readF32(TestModels.fixture(fixture));
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            double err = TestModels.relativeError(p.run(crop).data(), ref);
            TestModels.reportError(spec.name(), fixture, tile, err);
            assertTrue(err < TOLERANCE, spec.name() + " relative max abs error " + err + " (tile " + tile + ")");
            return err;
        }
    }

    static void pairAndMix(String name, String expectedSpec) throws IOException {
        ModelWeights a = model(name + "_a.pth");
        ModelWeights b = model(name + "_b.pth");
        assertEquals(expectedSpec, ArchitectureRegistry.detect(a).name());
        for (int tile : new int[] {256, 14}) {
            check(a, name + "_a_astronaut.f32", tile);
            check(b, name + "_b_astronaut.f32", tile);
            check(Interpolation.lerp(a, b, 0.4, Interpolation.Options.defaults()), name + "_mix0.4_astronaut.f32",
                    tile);
        }
    }

    static void single(String name, String expectedSpec) throws IOException {
        ModelWeights w = model(name + ".pth");
        assertEquals(expectedSpec, ArchitectureRegistry.detect(w).name());
        check(w, name + "_astronaut.f32", 256);
        check(w, name + "_astronaut.f32", 11);
    }

    @Test
    void spanMatchesSpandrel() throws IOException {
        single("span_x2_nonorm", "SPAN(feature_channels=8, upscale=2, norm=False)");
        pairAndMix("span_x4", "SPAN(feature_channels=8, upscale=4)");
    }

    @Test
    void tapSumsAreTheEnginesSumsToTheLastBit() throws IOException {
        // the real fixture's kernels and random ones spanning many magnitudes
        List<NamedTensor> kernels = new ArrayList<>();
        for (NamedTensor t : model("span_x4_a.pth").tensors()) {
            if (t.shape().length == 4 && t.shape()[2] == 3 && t.shape()[3] == 3) {
                kernels.add(t);
            }
        }
        java.util.Random r = new java.util.Random(29);
        float[] random = new float[40 * 30 * 9];
        for (int i = 0; i < random.length; i++) {
            random[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        }
        kernels.add(NamedTensor.ofFloats("random", new int[] {40, 30, 3, 3}, org.dnispark.core.DType.FLOAT32, random));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (NamedTensor k : kernels) {
                long[] shape = java.util.Arrays.stream(k.shape()).asLongStream().toArray();
                float[] engine = org.dnispark.runtime.Tensors.copyIn(m, k.floatValues(), new ai.djl.ndarray.types.Shape(shape))
                        .sum(new int[] {3}).sum(new int[] {2}).toFloatArray();
                float[] sums = Span.tapSums(k);
                assertEquals(engine.length, sums.length);
                for (int i = 0; i < engine.length; i++) {
                    assertEquals(Float.floatToRawIntBits(engine[i]), Float.floatToRawIntBits(sums[i]),
                            k.name() + " kernel " + i + ": " + engine[i] + " and " + sums[i]);
                }
            }
        }
    }

    @Test
    void realPlksrMatchesSpandrel() throws IOException {
        single("realplksr_ln_x4", "RealPLKSR(dim=16, n_blocks=2, upscaling_factor=4, kernel_size=9, split=4/16, "
                + "use_ea=False, layer_norm=True)");
        pairAndMix("realplksr_x2", "RealPLKSR(dim=16, n_blocks=2, upscaling_factor=2, kernel_size=17, split=4/16)");
        assertTrue(ArchitectureRegistry.detect(model("realplksr_x2_a.pth")).geometry().globalStatistics(),
                "GroupNorm normalises over the whole image: no tiling equals it");
        single("realplksr_ln_x4", "RealPLKSR(dim=16, n_blocks=2, upscaling_factor=4, kernel_size=9, split=4/16, "
                + "use_ea=False, layer_norm=True)");
        assertTrue(!ArchitectureRegistry.detect(model("realplksr_ln_x4.pth")).geometry().globalStatistics());
    }

    @Test
    void plksrMatchesSpandrel() throws IOException {
        pairAndMix("plksr_ccm_x4", "PLKSR(dim=12, n_blocks=2, upscaling_factor=4, kernel_size=13, split=3/12, CCM)");
        single("plksr_iccm_x2", "PLKSR(dim=12, n_blocks=2, upscaling_factor=2, kernel_size=17, split=3/12, ICCM, "
                + "use_ea=False)");
        single("plksr_dccm_x3", "PLKSR(dim=12, n_blocks=1, upscaling_factor=3, kernel_size=17, split=6/12, DCCM)");
    }

    /** A copy of {@code w} with one tensor replaced. */
    static ModelWeights with(ModelWeights w, String key, int[] shape) {
        List<NamedTensor> out = new ArrayList<>();
        for (NamedTensor t : w.tensors()) {
            out.add(t.name().equals(key) ? NamedTensor.ofFloats(key, shape, t.dtype(),
                    new float[(int) NamedTensor.elementCount(shape)]) : t);
        }
        return new ModelWeights(w.label(), out);
    }

    @Test
    void keysOfOneArchitectureWithShapesOfAnotherAreRefusedByKey() throws IOException {
        ModelWeights span = with(model("span_x4_a.pth"), "block_3.c2_r.conv.1.weight", new int[] {16, 16, 1, 1});
        String m = assertThrows(IllegalArgumentException.class, () -> ArchitectureRegistry.detect(span)).getMessage();
        assertTrue(m.contains("span_x4_a.pth") && m.contains("block_3.c2_r.conv.1.weight")
                && m.contains("[16, 16, 1, 1]") && m.contains("expected shape [*, 16, 3, 3]"), m);

        ModelWeights plk = with(model("realplksr_x2_a.pth"), "feats.2.lk.conv.weight", new int[] {4, 4, 9, 9});
        m = assertThrows(IllegalArgumentException.class, () -> ArchitectureRegistry.detect(plk)).getMessage();
        assertTrue(m.contains("feats.2.lk.conv.weight") && m.contains("expected shape [4, 4, 17, 17]"), m);
    }

    @Test
    void alignmentIsRefusedNamingWhy() throws IOException {
        for (String f : List.of("span_x4_a.pth", "plksr_ccm_x4_a.pth")) {
            ModelWeights w = model(f);
            String m = assertThrows(IllegalArgumentException.class, () -> ArchitectureRegistry.permutations(w))
                    .getMessage();
            assertTrue(m.contains("cannot be aligned"), m);
        }
    }
}
