package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;

class InterpolationTest {
    static final Interpolation.Options DEFAULTS = Interpolation.Options.defaults();

    static NamedTensor randomTensor(String name, int[] shape, DType dtype, long seed) {
        Random r = new Random(seed);
        float[] v = new float[(int) NamedTensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = dtype.round((float) r.nextGaussian());
        }
        return NamedTensor.ofFloats(name, shape, dtype, v);
    }

    static ModelWeights model(String label, long seed) {
        return new ModelWeights(label, List.of(
                randomTensor("conv.weight", new int[] {4, 3, 3, 3}, DType.FLOAT32, seed),
                randomTensor("conv.bias", new int[] {4}, DType.FLOAT32, seed + 1),
                randomTensor("bn.weight", new int[] {4}, DType.FLOAT16, seed + 2),
                randomTensor("bn.running_var", new int[] {4}, DType.BFLOAT16, seed + 3),
                NamedTensor.ofLongs("bn.num_batches_tracked", new int[] {}, DType.INT64, new long[] {seed * 10})));
    }

    @Test
    void endpointsAreBitExact() {
        ModelWeights a = model("a", 1);
        ModelWeights b = model("b", 2);
        assertEquals(a.asMap(), Interpolation.lerp(a, b, 0.0, DEFAULTS).asMap());
        assertEquals(b.asMap(), Interpolation.lerp(a, b, 1.0, DEFAULTS).asMap());
    }

    @Test
    void endpointsAreBitExactOnRealFp16Models() {
        ModelWeights a = TestModels.readUpconv7("noise0_scale2.0x").weights();
        ModelWeights b = TestModels.readUpconv7("noise3_scale2.0x").weights();
        assertEquals(a.asMap(), Interpolation.lerp(a, b, 0.0, DEFAULTS).asMap());
        assertEquals(b.asMap(), Interpolation.lerp(a, b, 1.0, DEFAULTS).asMap());
    }

    @Test
    void endpointsStayExactEvenWithNonFiniteValuesInTheOtherModel() {
        ModelWeights a = new ModelWeights("a", List.of(NamedTensor.ofFloats("w", new int[] {2}, DType.FLOAT32,
                new float[] {1f, 2f})));
        ModelWeights b = new ModelWeights("b", List.of(NamedTensor.ofFloats("w", new int[] {2}, DType.FLOAT32,
                new float[] {Float.NaN, Float.POSITIVE_INFINITY})));
        assertArrayEquals(new float[] {1f, 2f}, Interpolation.lerp(a, b, 0.0, DEFAULTS).get("w").floatValues());
    }

    @Test
    void midpointIsConvexAndKeepsDtypes() {
        ModelWeights a = model("a", 3);
        ModelWeights b = model("b", 4);
        for (double alpha : new double[] {0.05, 0.3, 0.5, 0.77, 0.95}) {
            ModelWeights m = Interpolation.lerp(a, b, alpha, DEFAULTS);
            for (NamedTensor t : m.tensors()) {
                assertEquals(a.get(t.name()).dtype(), t.dtype(), t.name());
                if (!t.dtype().isFloating()) {
                    continue;
                }
                float[] x = a.get(t.name()).floatValues();
                float[] y = b.get(t.name()).floatValues();
                float[] z = t.floatValues();
                for (int i = 0; i < z.length; i++) {
                    assertTrue(z[i] >= Math.min(x[i], y[i]) && z[i] <= Math.max(x[i], y[i]),
                            t.name() + "[" + i + "] outside its endpoints");
                    assertEquals(t.dtype().round(z[i]), z[i], "value representable in " + t.dtype());
                    if (t.dtype() == DType.FLOAT32) {
                        assertEquals((float) ((1 - alpha) * x[i] + alpha * y[i]), z[i], 0f);
                    }
                }
            }
        }
    }

    @Test
    void threeModelsFollowEquationTwo() {
        ModelWeights a = model("a", 5);
        ModelWeights b = model("b", 6);
        ModelWeights c = model("c", 7);
        double[] w = {0.2, 0.3, 0.5};
        ModelWeights m = Interpolation.interpolate(List.of(a, b, c), w, DEFAULTS);
        float[] x = a.get("conv.weight").floatValues();
        float[] y = b.get("conv.weight").floatValues();
        float[] z = c.get("conv.weight").floatValues();
        float[] got = m.get("conv.weight").floatValues();
        for (int i = 0; i < got.length; i++) {
            assertEquals((float) (0.2 * x[i] + 0.3 * y[i] + 0.5 * z[i]), got[i], 0f);
        }
        // One-hot vectors pick the model exactly.
        assertEquals(b.asMap(), Interpolation.interpolate(List.of(a, b, c), new double[] {0, 1, 0}, DEFAULTS).asMap());
    }

    @Test
    void integerBufferRules() {
        ModelWeights a = model("a", 1);
        ModelWeights b = model("b", 2);
        assertEquals(10L, Interpolation.lerp(a, b, 0.4, DEFAULTS).get("bn.num_batches_tracked").longValues()[0]);
        assertEquals(20L, Interpolation.lerp(a, b, 0.6, DEFAULTS).get("bn.num_batches_tracked").longValues()[0]);
        Interpolation.Options round = new Interpolation.Options(false, IntegerBufferRule.ROUND);
        assertEquals(16L, Interpolation.lerp(a, b, 0.6, round).get("bn.num_batches_tracked").longValues()[0]);
        Interpolation.Options equal = new Interpolation.Options(false, IntegerBufferRule.REQUIRE_EQUAL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.lerp(a, b, 0.5, equal));
        assertTrue(e.getMessage().contains("bn.num_batches_tracked"), e.getMessage());
        assertSame(IntegerBufferRule.ROUND, IntegerBufferRule.parse("round"));
    }

    @Test
    void coefficientValidation() {
        ModelWeights a = model("a", 1);
        ModelWeights b = model("b", 2);
        List<ModelWeights> ab = List.of(a, b);
        String neg = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.interpolate(ab, new double[] {-0.1, 1.1}, DEFAULTS)).getMessage();
        assertTrue(neg.contains("negative") && neg.contains("allow-extrapolation"), neg);
        String sum = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.interpolate(ab, new double[] {0.5, 0.6}, DEFAULTS)).getMessage();
        assertTrue(sum.contains("sum to 1.1"), sum);
        String nan = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.interpolate(ab, new double[] {Double.NaN, 1}, DEFAULTS)).getMessage();
        assertTrue(nan.contains("finite"), nan);
        String count = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.interpolate(ab, new double[] {1}, DEFAULTS)).getMessage();
        assertTrue(count.contains("one per model (2)"), count);
        // Within 1e-6 of 1 is accepted; extrapolation is accepted only when allowed.
        Interpolation.interpolate(ab, new double[] {0.5, 0.5 + 5e-7}, DEFAULTS);
        ModelWeights ex = Interpolation.interpolate(ab, new double[] {-0.5, 1.5},
                new Interpolation.Options(true, IntegerBufferRule.LARGEST_COEFFICIENT));
        float[] x = a.get("conv.bias").floatValues();
        float[] y = b.get("conv.bias").floatValues();
        assertEquals((float) (-0.5 * x[0] + 1.5 * y[0]), ex.get("conv.bias").floatValues()[0], 0f);
    }

    @Test
    void mismatchListsEveryProblem() {
        ModelWeights a = model("a", 1);
        ModelWeights b = new ModelWeights("b", List.of(
                randomTensor("conv.weight", new int[] {4, 3, 5, 5}, DType.FLOAT32, 1),
                randomTensor("bn.weight", new int[] {4}, DType.FLOAT32, 2),
                randomTensor("bn.running_var", new int[] {4}, DType.BFLOAT16, 3),
                NamedTensor.ofLongs("bn.num_batches_tracked", new int[] {}, DType.INT64, new long[] {1}),
                randomTensor("extra.weight", new int[] {2}, DType.FLOAT32, 4)));
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> Interpolation.lerp(a, b, 0.5, DEFAULTS));
        String m = e.getMessage();
        assertEquals(4, e.problems().size(), m);
        assertTrue(m.contains("shape mismatch for conv.weight: [4, 3, 3, 3] in 'a' vs [4, 3, 5, 5] in 'b'"), m);
        assertTrue(m.contains("missing in 'b': conv.bias [4]"), m);
        assertTrue(m.contains("dtype mismatch for bn.weight: FLOAT16 in 'a' vs FLOAT32 in 'b'"), m);
        assertTrue(m.contains("unexpected in 'b' (not in 'a'): extra.weight [2]"), m);
    }

    @Test
    void alphaGridHas21PointsWithoutDrift() {
        List<Double> g = Coefficients.grid(0, 1, 0.05);
        assertEquals(21, g.size());
        assertEquals(0.15, g.get(3), 0.0);
        assertEquals(1.0, g.get(20), 0.0);
    }
}
