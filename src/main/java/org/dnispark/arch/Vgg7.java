package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;

/**
 * waifu2x's original vgg_7 (the {@code models_rgb} JSON models, read as {@code layer0..layer6}): seven 3x3
 * convolutions without padding, LeakyReLU(0.1) between them, RGB in and out at scale 1. Each layer trims one pixel
 * per side, so the input is padded by 7 (edge replication, as waifu2x does) and tiles need no further context.
 */
final class Vgg7 extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("vgg7", "waifu2x vgg_7 (models_rgb JSON): layer0..layer6, "
            + "3x3 convolutions without padding", Vgg7::detect,
            Vgg7::permutations);

    /** Layer i's outputs feed layer i + 1; LeakyReLU acts per channel; the RGB ends stay. */
    static PermutationSpec permutations(ModelWeights w) {
        PermutationSpec.Builder b = new PermutationSpec.Builder("vgg7", w);
        for (int i = 0; w.contains("layer" + (i + 1) + ".weight"); i++) {
            b.chain("layer" + i, java.util.List.of("layer" + i + ".weight", "layer" + i + ".bias"),
                    java.util.List.of("layer" + (i + 1) + ".weight"));
        }
        return b.build();
    }

    private final int layers;

    private Vgg7(int layers, NDManager parent) {
        super(parent);
        this.layers = layers;
    }

    static NetworkSpec detect(ModelWeights w) {
        int n = 0;
        while (w.contains("layer" + n + ".weight")) {
            int[] s = w.get("layer" + n + ".weight").shape();
            if (s.length != 4 || s[2] != 3 || s[3] != 3 || !w.contains("layer" + n + ".bias")) {
                return null;
            }
            if (n > 0 && s[1] != w.get("layer" + (n - 1) + ".weight").shape()[0]) {
                return null;
            }
            n++;
        }
        if (n < 2 || w.tensorCount() != 2 * n || w.get("layer0.weight").shape()[1] != 3
                || w.get("layer" + (n - 1) + ".weight").shape()[0] != 3) {
            return null;
        }
        int count = n;
        return new Architecture.BuiltIn("waifu2x vgg_" + n + "(RGB, scale 1)", new NetworkGeometry(1, n, 0, 1, false),
                m -> new Vgg7(count, m));
    }

    @Override
    public float[] forward(float[] input, int batch, int c, int height, int width, int[] outShape) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = input(scope, input, new Shape(batch, c, height, width));
            for (int i = 0; i < layers; i++) {
                x = observed("layer" + i, Conv2d.conv2d(x, params.get("layer" + i + ".weight"),
                        params.get("layer" + i + ".bias"), new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                        .singletonOrThrow());
                if (i < layers - 1) {
                    x = Activation.leakyRelu(x, 0.1f);
                }
            }
            return result(x, outShape);
        }
    }
}
