package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.dnispark.TestModels;
import org.dnispark.core.DType;
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
 * ESRGAN in the layouts its models are published in, against ESRGAN's own code (src/test/python/
 * make_esrgan_layout_fixtures.py: xinntao/ESRGAN's RRDB_Net at 140595a and RRDBNet_arch at d274b11): every scale of
 * the original layout, BSRGAN's layout, their interpolation across layouts, exact export into each layout, and the
 * refusals.
 */
class EsrganLayoutTest {
    static final double TOLERANCE = 1e-4;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static ModelWeights read(String fixture) throws IOException {
        return TestModels.pth(TestModels.fixture(fixture));
    }

    static float maxError(ModelWeights canonical, RgbImage in, String expected, int tile) {
        NetworkSpec spec = ArchitectureRegistry.detect(canonical);
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(canonical);
            float err = TestModels.maxAbsDiff(p.run(in).data(), TestModels.readF32(TestModels.fixture(expected)));
            TestModels.reportError(spec.name(), expected, tile, err);
            return err;
        }
    }

    static RgbImage crop(int w, int h) {
        return TestModels.readImage(TestModels.fixture("astronaut_40x36.png")).cropReplicate(0, 0, w, h);
    }

    @Test
    void theOriginalLayoutAtEveryScaleMatchesEsrgansOwnCode() throws IOException {
        int[][] cases = {{1, 24, 20, 2}, {2, 14, 12, 1}, {4, 12, 10, 2}, {8, 8, 6, 1}, {16, 6, 5, 1}};
        for (int[] c : cases) {
            ModelWeights file = read("esrgan_orig_x" + c[0] + ".pth");
            EsrganLayout.Canonical canonical = EsrganLayout.canonical(file);
            assertNotNull(canonical);
            assertEquals(EsrganLayout.ORIGINAL, canonical.layout());
            assertEquals("RRDBNet(scale=" + c[0] + ", num_feat=8, num_block=" + c[3] + ", num_grow_ch=4)",
                    ArchitectureRegistry.detect(canonical.weights()).name());
            String expected = "esrgan_orig_x" + c[0] + "_astronaut" + c[1] + "x" + c[2] + ".f32";
            float whole = maxError(canonical.weights(), crop(c[1], c[2]), expected, 256);
            float tiled = maxError(canonical.weights(), crop(c[1], c[2]), expected, 4);
            assertTrue(whole < TOLERANCE && tiled < TOLERANCE, "x" + c[0] + ": whole " + whole + ", tiled " + tiled);
            // exported back into its own layout: the very file, names, order and values
            assertEquals(file.tensors(), EsrganLayout.ORIGINAL.export(canonical.weights()).tensors(), "x" + c[0]);
        }
    }

    @Test
    void esrganPlusMatchesItsAuthorsCode() throws IOException {
        ModelWeights file = read("esrgan_plus_x4.pth");
        EsrganLayout.Canonical plus = EsrganLayout.canonical(file);
        assertEquals(EsrganLayout.ORIGINAL, plus.layout());
        assertEquals("RRDBNet(ESRGAN+, scale=4, num_feat=8, num_block=1, num_grow_ch=4)",
                ArchitectureRegistry.detect(plus.weights()).name());
        float whole = maxError(plus.weights(), crop(12, 10), "esrgan_plus_x4_astronaut12x10.f32", 256);
        float tiled = maxError(plus.weights(), crop(12, 10), "esrgan_plus_x4_astronaut12x10.f32", 4);
        assertTrue(whole < TOLERANCE && tiled < TOLERANCE, "whole " + whole + ", tiled " + tiled);
        assertEquals(file.tensors(), EsrganLayout.ORIGINAL.export(plus.weights()).tensors());
        // BSRGAN's layout has no name for the 1x1 convs: refused rather than dropped
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EsrganLayout.XINNTAO.export(plus.weights()));
        assertTrue(e.getMessage().contains("conv1x1") && e.getMessage().contains("xinntao"), e.getMessage());
    }

    @Test
    void bsrgansLayoutAndAnInterpolationAcrossLayouts() throws IOException {
        ModelWeights origFile = read("esrgan_orig_x4.pth");
        ModelWeights newFile = read("esrgan_xinntao_x4.pth");
        EsrganLayout.Canonical a = EsrganLayout.canonical(origFile);
        EsrganLayout.Canonical b = EsrganLayout.canonical(newFile);
        assertEquals(EsrganLayout.XINNTAO, b.layout());
        assertTrue(maxError(b.weights(), crop(12, 10), "esrgan_xinntao_x4_astronaut12x10.f32", 256) < TOLERANCE);
        assertEquals(newFile.tensors(), EsrganLayout.XINNTAO.export(b.weights()).tensors());
        // canonical keys inside: the pair interpolates although its files disagree on every name
        ModelWeights mix = Interpolation.lerp(a.weights(), b.weights(), 0.3, Interpolation.Options.defaults());
        assertTrue(maxError(mix, crop(12, 10), "esrgan_mix0.3_astronaut12x10.f32", 256) < TOLERANCE);
        assertTrue(maxError(mix, crop(12, 10), "esrgan_mix0.3_astronaut12x10.f32", 5) < TOLERANCE);
        // BasicSR's layout is the canonical one, and the original layout reads back from it exactly
        assertEquals(EsrganLayout.BASICSR, EsrganLayout.canonical(a.weights()).layout());
        ModelWeights viaBsrgan = EsrganLayout.canonical(EsrganLayout.XINNTAO.export(a.weights())).weights();
        assertEquals(origFile.tensors(), EsrganLayout.ORIGINAL.export(viaBsrgan).tensors());
    }

    @Test
    void keysOfOneLayoutWithShapesOfAnotherAreRefusedByKey() throws IOException {
        ModelWeights file = read("esrgan_orig_x4.pth");
        // one dense conv with BSRGAN-sized growth channels (32) where the file's others have 4
        List<NamedTensor> wrong = new ArrayList<>();
        for (NamedTensor t : file.tensors()) {
            wrong.add(t.name().equals("model.1.sub.1.RDB2.conv3.0.weight") ? NamedTensor.ofFloats(t.name(),
                    new int[] {32, 16, 3, 3}, DType.FLOAT32, new float[32 * 16 * 9]) : t);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EsrganLayout.canonical(new ModelWeights("wrong.pth", wrong)));
        assertTrue(e.getMessage().contains("wrong.pth") && e.getMessage().contains("model.1.sub.1.RDB2.conv3.0.weight")
                && e.getMessage().contains("[32, 16, 3, 3]") && e.getMessage().contains("[4, 16, 3, 3]"),
                e.getMessage());
        // a key of BSRGAN's layout among the original's
        List<NamedTensor> mixed = new ArrayList<>(file.tensors());
        mixed.add(NamedTensor.ofFloats("trunk_conv.weight", new int[] {8, 8, 3, 3}, DType.FLOAT32, new float[576]));
        e = assertThrows(IllegalArgumentException.class, () -> EsrganLayout.canonical(new ModelWeights("mixed.pth",
                mixed)));
        assertTrue(e.getMessage().contains("mixed.pth") && e.getMessage().contains("trunk_conv.weight")
                && e.getMessage().contains("esrgan layout"), e.getMessage());
        // an up-sampler missing from the model.N sequence
        List<NamedTensor> gap = new ArrayList<>();
        for (NamedTensor t : file.tensors()) {
            if (!t.name().startsWith("model.6.")) {
                gap.add(t);
            }
        }
        e = assertThrows(IllegalArgumentException.class, () -> EsrganLayout.canonical(new ModelWeights("gap.pth",
                gap)));
        assertTrue(e.getMessage().contains("gap.pth") && e.getMessage().contains("model.[0, 3, 8, 10]"),
                e.getMessage());
    }
}
