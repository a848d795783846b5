package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * The SRCNN-style three-layer network the DNI paper analyses: {@code conv1} 9x9, {@code conv2}, {@code conv3} 9x9,
 * ReLU between, "same" padding, scale 1. One-channel models (the paper's denoisers) run on the channel mean of RGB
 * inputs, and their output goes to all three channels.
 */
final class Srcnn extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("srcnn", "SRCNN-style (the DNI paper's analysis "
            + "network): conv1 9x9, conv2, conv3 9x9", Srcnn::detect, Srcnn::permutations);

    /** conv1's outputs feed conv2, conv2's feed conv3; ReLU acts per channel. */
    static PermutationSpec permutations(ModelWeights w) {
        return new PermutationSpec.Builder("srcnn", w)
                .chain("conv1", java.util.List.of("conv1.weight", "conv1.bias"), java.util.List.of("conv2.weight"))
                .chain("conv2", java.util.List.of("conv2.weight", "conv2.bias"), java.util.List.of("conv3.weight"))
                .build();
    }

    Srcnn(NDManager parent) {
        super(parent);
    }

    static NetworkSpec detect(ModelWeights w) {
        if (w.tensorCount() != 6) {
            return null;
        }
        for (String k : new String[] {"conv1", "conv2", "conv3"}) {
            if (!w.contains(k + ".weight") || !w.contains(k + ".bias") || w.get(k + ".weight").shape().length != 4) {
                return null;
            }
        }
        int[] first = w.get("conv1.weight").shape();
        int[] last = w.get("conv3.weight").shape();
        if (first[1] != last[0] || first[2] % 2 == 0) {
            return null;
        }
        int radius = (first[2] + w.get("conv2.weight").shape()[2] + last[2] - 3) / 2;
        return new Architecture.BuiltIn("SRCNN-style(conv1 " + first[2] + "x" + first[3] + ", conv2 "
                + w.get("conv2.weight").shape()[2] + "x" + w.get("conv2.weight").shape()[3] + ", conv3 " + last[2]
                + "x" + last[3] + ")", NetworkGeometry.padded(1, radius, 1), m -> new Srcnn(m));
    }

    @Override
    public float[] forward(float[] input, int batch, int c, int height, int width, int[] outShape) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = input(scope, input, new Shape(batch, c, height, width));
            // a greyscale model (the paper's denoisers) runs on the channel mean, its output on all three
            boolean grey = params.get("conv1.weight").getShape().get(1) == 1 && c == 3;
            if (grey) {
                x = x.mean(new int[] {1}, true);
            }
            NDArray y = conv(Ops.maximum(conv(Ops.maximum(conv(x, "conv1"), 0), "conv2"), 0), "conv3");
            if (grey) {
                y = y.repeat(1, 3);
            }
            return result(y, outShape);
        }
    }
}
