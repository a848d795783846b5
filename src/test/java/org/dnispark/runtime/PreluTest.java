package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.dnispark.core.DType;
import org.dnispark.core.NamedTensor;
import org.junit.jupiter.api.Test;

/**
 * {@link StateDictNetwork#prelu}'s two-operator form ({@code max(x, slope * x)}, for slopes at most 1) gives the
 * four-operator form's values, float for float, on channels-last activations with zeros, ties and negative, zero and
 * unit slopes; a slope above 1 keeps the four.
 */
class PreluTest {
    private static final class Bare extends StateDictNetwork {
        Bare(NDManager parent) {
            super(parent);
        }
    }

    @Test
    void twoOperatorsGiveTheFoursValues() {
        int c = 8;
        float[] slopes = {-0.5f, 0f, 0.25f, 1f, -1.5f, 0.999f, Float.MIN_VALUE, -0f};
        float[] v = new float[2 * c * 5 * 7];
        java.util.Random r = new java.util.Random(29);
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 5 == 0 ? (i % 2 == 0 ? 0f : -0f) : r.nextFloat() * 8 - 4;
        }
        assertTrue(StateDictNetwork.slopesAtMostOne(NamedTensor.ofFloats("s", new int[] {c}, DType.FLOAT32, slopes)));
        assertFalse(StateDictNetwork.slopesAtMostOne(NamedTensor.ofFloats("s", new int[] {2}, DType.FLOAT32, new float[] {0.5f, 1.01f})));
        assertFalse(StateDictNetwork.slopesAtMostOne(NamedTensor.ofFloats("s", new int[] {1}, DType.FLOAT32, new float[] {Float.NaN})));
        try (NDManager m = NDManager.newBaseManager(); Bare net = new Bare(m)) {
            NDArray x = Tensors.channelsLast(Tensors.copyIn(m, v, new Shape(2, c, 5, 7)));
            NDArray a = Tensors.copyIn(m, slopes, new Shape(1, c, 1, 1));
            float[] four = net.prelu(x, a, false).toFloatArray();
            float[] two = net.prelu(x, a, true).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                // == : the same value, a zero of either sign
                assertTrue(four[i] == two[i], "element " + i + ": " + four[i] + " and " + two[i]);
                int ch = (i / 35) % c;
                float expected = v[i] >= 0 ? v[i] : slopes[ch] * v[i];
                assertEquals(expected, four[i], 0f, "element " + i);
            }
        }
    }
}
