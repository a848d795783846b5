package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.core.ModelWeights;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeKernels}: the fused convolution gives the same bits as DJL's convolution and the activation after it
 * on channels-last input and declines NCHW input, and a built-in network gives the same bits with the kernels on and
 * off.
 */
class NativeKernelsTest {

    @Test
    void theFusedConvolutionEqualsDjlsConvolutionAndActivation() {
        try (NDManager m = NDManager.newBaseManager()) {
            // each shape oneDNN gets from aten::conv2d for a different reason: batch 2, a 5x5 kernel, a 3x3 one on
            // just over ATEN_DIRECT_MAX_VALUES input values; and a dense block's (64 channels, where NCHW input
            // would be summed differently)
            long[][] shapes = {{2, 7, 19, 23}, {1, 7, 19, 23}, {1, 7, 53, 56}, {1, 64, 24, 20}};
            int[] kernels = {3, 5, 3, 3};
            for (int i = 0; i < shapes.length; i++) {
                int k = kernels[i];
                Shape shape = new Shape(shapes[i]);
                int in = (int) shape.get(1);
                NDArray w = Tensors.copyIn(m, ChannelsLastTest.random(12 * in * k * k, 3 + i),
                        new Shape(12, in, k, k));
                NDArray b = Tensors.copyIn(m, ChannelsLastTest.random(12, 5 + i), new Shape(12));
                NDArray nchw = Tensors.copyIn(m, ChannelsLastTest.random((int) shape.size(), i), shape);
                assertTrue(NativeKernels.applies(nchw, w, b), shape + " kernel " + k);
                assertNull(NativeKernels.sameConv(nchw, w, b, NativeKernels.Activation.NONE, 0));
                NDArray x = Tensors.channelsLast(nchw);
                NDArray conv = Ops.sameConv(x, w, b);
                assertArrayEquals(conv.toFloatArray(),
                        NativeKernels.sameConv(x, w, b, NativeKernels.Activation.NONE, 0).toFloatArray());
                assertArrayEquals(Ops.maximum(conv, 0).toFloatArray(),
                        NativeKernels.sameConv(x, w, b, NativeKernels.Activation.RELU, 0).toFloatArray());
                float[] leaky = Activation.leakyRelu(conv, 0.2f).toFloatArray();
                float[] fused = NativeKernels.sameConv(x, w, b, NativeKernels.Activation.LEAKY_RELU, 0.2f)
                        .toFloatArray();
                assertArrayEquals(leaky, fused, shape + " kernel " + k);
                int negative = 0;
                for (float v : leaky) {
                    negative += v < 0 ? 1 : 0;
                }
                assertTrue(negative > leaky.length / 10, "too few negative values to test the slope: " + negative);
            }
        }
    }

    @Test
    void whatTheKernelsCannotComputeIsRefusedByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 4, 80, 64)); // 20480 values: aten's direct kernel for 3x3
            NDArray larger = m.zeros(new Shape(1, 4, 80, 65));
            NDArray even = m.zeros(new Shape(2, 4, 2, 2));
            NDArray grouped = m.zeros(new Shape(2, 2, 3, 3));
            NDArray b = m.zeros(new Shape(2));
            NDArray k3 = m.zeros(new Shape(2, 4, 3, 3));
            assertFalse(NativeKernels.applies(larger, even, b));
            assertFalse(NativeKernels.applies(larger, grouped, b));
            assertFalse(NativeKernels.applies(larger, k3, null));
            assertFalse(NativeKernels.applies(larger, m.zeros(new Shape(2, 4, 1, 1)), b));
            assertFalse(NativeKernels.applies(x, k3, b));
            assertTrue(NativeKernels.applies(larger, k3, b));
            assertTrue(NativeKernels.applies(x, m.zeros(new Shape(2, 4, 5, 5)), b));
            assertTrue(NativeKernels.applies(m.zeros(new Shape(2, 4, 8, 8)), k3, b));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NativeKernels.sameConv(larger, even, b, NativeKernels.Activation.NONE, 0));
            assertTrue(e.getMessage().contains("(2, 4, 2, 2)"), e.getMessage());
        }
    }

    /**
     * A small RRDBNet with the kernels on and off, in both layouts: fused leaky ReLUs and plain convolutions where
     * oneDNN runs them (16 features of 48x56), aten's direct kernel where it does not (the 3-channel input).
     */
    @Test
    void aNetworkGivesTheSameBitsWithTheKernelsOnAndOff() {
        ModelWeights w = ChannelsLastTest.rrdb(2, 16, 8);
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        float[] input = ChannelsLastTest.random(3 * 48 * 56, 7);
        for (boolean channelsLast : new boolean[] {true, false}) {
            int[] shapeA = new int[3];
            int[] shapeB = new int[3];
            float[] djl;
            float[] fused;
            try (NDManager m = NDManager.newBaseManager(); ImageNetwork a = spec.create(m);
                    ImageNetwork b = spec.create(m)) {
                a.setWeights(w);
                b.setWeights(w);
                a.channelsLast(channelsLast);
                b.channelsLast(channelsLast);
                a.nativeKernels(false);
                long before = NativeKernels.CALLS.sum();
                djl = a.forward(input, 1, 3, 48, 56, shapeA);
                assertEquals(before, NativeKernels.CALLS.sum(), "kernels off, yet fused convolutions ran");
                fused = b.forward(input, 1, 3, 48, 56, shapeB);
                // channels-last: 2 blocks of 3 x 5, conv_body, 2 up-sampling convs, conv_hr and conv_last
                // (conv_first is aten's direct kernel); NCHW: none
                assertEquals(before + (channelsLast ? 35 : 0), NativeKernels.CALLS.sum());
            }
            assertArrayEquals(shapeA, shapeB);
            assertEquals(3 * 192 * 224, djl.length);
            assertArrayEquals(djl, fused, "channels-last " + channelsLast);
        }
    }
}
