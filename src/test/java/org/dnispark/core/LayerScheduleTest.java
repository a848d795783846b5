package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;

class LayerScheduleTest {
    static final Interpolation.Options DEFAULTS = Interpolation.Options.defaults();

    /** The reference: each tensor interpolated on its own, as a one-tensor model, at the alpha given explicitly. */
    static void assertScheduleIs(List<ModelWeights> models, LayerSchedule schedule, Map<String, Double> expected) {
        ModelWeights mixed = Interpolation.interpolate(models, schedule, DEFAULTS);
        assertEquals(models.get(0).names(), mixed.names());
        for (String name : models.get(0).names()) {
            ModelWeights a = new ModelWeights("a", List.of(models.get(0).get(name)));
            ModelWeights b = new ModelWeights("b", List.of(models.get(1).get(name)));
            NamedTensor want = Interpolation.lerp(a, b, expected.get(name), DEFAULTS).get(name);
            NamedTensor got = mixed.get(name);
            assertArrayEquals(want.shape(), got.shape(), name);
            if (want.dtype().isFloating()) {
                float[] w = want.floatValues();
                float[] g = got.floatValues();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), name + "[" + i + "]");
                }
            } else {
                assertArrayEquals(want.longValues(), got.longValues(), name);
            }
        }
    }

    @Test
    void aDepthGradientGivesEachLayerItsAlphaBitExactOnRealWeights() {
        ModelWeights a = TestModels.readUpconv7("noise0_scale2.0x").weights();
        ModelWeights b = TestModels.readUpconv7("noise3_scale2.0x").weights();
        List<String> layers = LayerSchedule.layers(a);
        assertEquals(7, layers.size(), "upconv_7 has 7 layers: " + layers);
        LayerSchedule s = new LayerSchedule(0.2, 0.8, List.of());
        Map<String, Double> alphas = s.alphas(a);
        Map<String, Double> expected = new java.util.LinkedHashMap<>();
        for (String name : a.names()) {
            int d = layers.indexOf(LayerSchedule.layerOf(name));
            expected.put(name, d == 0 ? 0.2 : d == 6 ? 0.8 : 0.2 + (0.8 - 0.2) * d / 6); // the documented formula
        }
        assertEquals(expected, alphas);
        // weight and bias of one layer share its alpha; the ends are exactly front and back
        assertEquals(0.2, alphas.get(a.names().get(0)));
        assertEquals(0.8, alphas.get(a.names().get(a.names().size() - 1)));
        assertScheduleIs(List.of(a, b), s, expected);
    }

    @Test
    void rulesOverrideTheGradientFirstMatchWinsAndAUniformScheduleIsPlainDni() {
        ModelWeights a = TestModels.readUpconv7("noise0_scale2.0x").weights();
        ModelWeights b = TestModels.readUpconv7("noise3_scale2.0x").weights();
        String last = a.names().get(a.names().size() - 1);
        String lastLayer = LayerSchedule.layerOf(last);
        LayerSchedule s = new LayerSchedule(0.0, 1.0, List.of(new LayerSchedule.Rule(lastLayer + ".*", 0.25),
                new LayerSchedule.Rule("*", 0.5)));
        Map<String, Double> alphas = s.alphas(a);
        alphas.forEach((name, alpha) -> assertEquals(name.startsWith(lastLayer + ".") ? 0.25 : 0.5, alpha, name));
        assertScheduleIs(List.of(a, b), s, alphas);
        // front == back without rules: bit for bit the plain interpolation
        ModelWeights plain = Interpolation.lerp(a, b, 0.35, DEFAULTS);
        ModelWeights uniform = Interpolation.interpolate(List.of(a, b), LayerSchedule.uniform(0.35, List.of()),
                DEFAULTS);
        for (String name : a.names()) {
            assertArrayEquals(plain.get(name).floatValues(), uniform.get(name).floatValues(), name);
        }
        // a schedule changes something: the gradient differs from its mean alpha in every layer but the middle one
        ModelWeights gradient = Interpolation.interpolate(List.of(a, b), new LayerSchedule(0.2, 0.8, List.of()),
                DEFAULTS);
        assertNotEquals(plain.get(a.names().get(0)).floatValues()[0], gradient.get(a.names().get(0)).floatValues()[0]);
    }

    @Test
    void batchNormLayersKeepTheirStatisticsTogetherAndIntegerBuffersFollowTheRule() {
        ModelWeights a = InterpolationTest.model("a", 1);
        ModelWeights b = InterpolationTest.model("b", 2);
        assertEquals(List.of("conv", "bn"), LayerSchedule.layers(a));
        LayerSchedule s = new LayerSchedule(0.1, 0.7, List.of());
        Map<String, Double> alphas = s.alphas(a);
        assertEquals(Map.of("conv.weight", 0.1, "conv.bias", 0.1, "bn.weight", 0.7, "bn.running_var", 0.7,
                "bn.num_batches_tracked", 0.7), alphas);
        assertScheduleIs(List.of(a, b), s, alphas);
        // largest coefficient: alpha 0.7 takes b's counter
        assertEquals(20L, Interpolation.interpolate(List.of(a, b), s, DEFAULTS).get("bn.num_batches_tracked")
                .longValues()[0]);
    }

    @Test
    void badSchedulesAreRefusedNamingTheProblem() {
        ModelWeights a = InterpolationTest.model("a", 1);
        ModelWeights b = InterpolationTest.model("b", 2);
        String unmatched = assertThrows(IllegalArgumentException.class, () -> Interpolation.interpolate(List.of(a, b),
                new LayerSchedule(0, 1, List.of(new LayerSchedule.Rule("conv_last.*", 0))), DEFAULTS)).getMessage();
        assertTrue(unmatched.contains("conv_last.*") && unmatched.contains("match no tensor"), unmatched);
        assertThrows(IllegalArgumentException.class, () -> Interpolation.interpolate(List.of(a, b),
                new LayerSchedule(0, 1.5, List.of()), DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> Interpolation.interpolate(List.of(a, b, a),
                new LayerSchedule(0, 1, List.of()), DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> new LayerSchedule.Rule(" ", 0));
        // globs: * spans dots, ? one character, the rest literal (a dot is not "any character")
        assertTrue(new LayerSchedule.Rule("body.*.weight", 0).matches("body.3.conv.weight"));
        assertTrue(new LayerSchedule.Rule("conv?.bias", 0).matches("conv1.bias"));
        assertTrue(!new LayerSchedule.Rule("conv.bias", 0).matches("convXbias"));
    }
}
