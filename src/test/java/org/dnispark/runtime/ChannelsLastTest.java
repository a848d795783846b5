package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.core.SplitMix;
import org.junit.jupiter.api.Test;

/**
 * Channels-last activations (issue 29): the layout keeps shape and values, and a built-in network run in it gives
 * its NCHW output up to the order of sums in the convolutions.
 */
class ChannelsLastTest {

    @Test
    void theLayoutKeepsShapeAndValuesAndIsNotNchw() {
        float[] v = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Tensors.copyIn(m, v, new Shape(2, 3, 4, 5));
            NDArray cl = Tensors.channelsLast(x);
            assertEquals(new Shape(2, 3, 4, 5), cl.getShape());
            // what the engine hands back, in NCHW order, and what StateDictNetwork.result reads
            assertArrayEquals(v, cl.toFloatArray());
            assertArrayEquals(v, cl.reshape(v.length).toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> Tensors.channelsLast(m.zeros(new Shape(3, 4))));
        }
    }

    /** A small RRDBNet (concatenations, residual scaling, up-sampling: most of the operators), in both orders. */
    @Test
    void aNetworkInChannelsLastMatchesItsNchwOutput() {
        ModelWeights w = rrdb(2, 16, 8);
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        assertTrue(spec.name().startsWith("RRDBNet"), spec.name());
        float[] input = random(3 * 20 * 24, 7);
        float[] nchw;
        float[] cl;
        int[] shapeA = new int[3];
        int[] shapeB = new int[3];
        try (NDManager m = NDManager.newBaseManager(); ImageNetwork a = spec.create(m);
                ImageNetwork b = spec.create(m)) {
            a.setWeights(w);
            b.setWeights(w);
            a.channelsLast(false);
            b.channelsLast(true);
            nchw = a.forward(input, 1, 3, 20, 24, shapeA);
            cl = b.forward(input, 1, 3, 20, 24, shapeB);
        }
        assertArrayEquals(shapeA, shapeB);
        assertArrayEquals(new int[] {3, 80, 96}, shapeA);
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < nchw.length; i++) {
            worst = Math.max(worst, Math.abs(nchw[i] - cl[i]));
            scale = Math.max(scale, Math.abs(nchw[i]));
        }
        assertTrue(scale > 0.01, "a network whose output is all but zero proves nothing: " + scale);
        assertTrue(worst <= 1e-5 * scale, "channels-last differs from NCHW by " + worst + " (scale " + scale + ")");
    }

    private static ModelWeights rrdb(int blocks, int nf, int gc) {
        List<NamedTensor> t = new java.util.ArrayList<>();
        long[] seed = {11};
        java.util.function.BiConsumer<String, int[]> conv = (name, s) -> {
            int fanIn = s[1] * s[2] * s[3];
            float[] v = random(s[0] * fanIn, seed[0]++);
            for (int i = 0; i < v.length; i++) {
                v[i] /= (float) Math.sqrt(fanIn);
            }
            t.add(NamedTensor.ofFloats(name + ".weight", s, org.dnispark.core.DType.FLOAT32, v));
            t.add(NamedTensor.ofFloats(name + ".bias", new int[] {s[0]}, org.dnispark.core.DType.FLOAT32,
                    random(s[0], seed[0]++)));
        };
        conv.accept("conv_first", new int[] {nf, 3, 3, 3});
        for (int b = 0; b < blocks; b++) {
            for (int r = 1; r <= 3; r++) {
                for (int c = 1; c <= 5; c++) {
                    conv.accept("body." + b + ".rdb" + r + ".conv" + c,
                            new int[] {c == 5 ? nf : gc, nf + (c - 1) * gc, 3, 3});
                }
            }
        }
        for (String n : new String[] {"conv_body", "conv_up1", "conv_up2", "conv_hr"}) {
            conv.accept(n, new int[] {nf, nf, 3, 3});
        }
        conv.accept("conv_last", new int[] {3, nf, 3, 3});
        return new ModelWeights("random rrdb", t);
    }

    private static float[] random(int n, long seed) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (SplitMix.mix(seed * SplitMix.GOLDEN + i) >>> 40) / (float) (1 << 23) - 1f;
        }
        return v;
    }
}
