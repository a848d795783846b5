package org.dnispark.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

import org.dnispark.runtime.FiniteCheck;

/**
 * The small PatchGAN discriminator of GAN fine-tuning: a 3x3 conv of {@code f} filters, then three stages of a 4x4
 * stride-2 conv and a 3x3 conv (f, 2f, 4f filters), leaky ReLU 0.2 after each, and a 3x3 conv to one logit per
 * patch location. No normalisation, so a batch of few patches trains it as well as a large one. It works on any
 * patch side that is a multiple of 8; its weights go into the training checkpoint, never into the model.
 */
final class Discriminator {
    private final int features;

    Discriminator(int features) {
        this.features = features;
    }

    /** Its convolutions as (name, in, out, kernel, stride). */
    private List<int[]> layers() {
        int f = features;
        List<int[]> l = new ArrayList<>();
        l.add(new int[] {3, f, 3, 1});
        int c = f;
        for (int stage = 0; stage < 3; stage++) {
            int next = f << stage;
            l.add(new int[] {c, next, 4, 2});
            l.add(new int[] {next, next, 3, 1});
            c = next;
        }
        l.add(new int[] {c, 1, 3, 1});
        return l;
    }

    /** Every tensor: {@code d.N.weight}, {@code d.N.bias}. */
    List<DenoiserArchitecture.Param> parameters() {
        List<DenoiserArchitecture.Param> p = new ArrayList<>();
        List<int[]> l = layers();
        for (int i = 0; i < l.size(); i++) {
            int[] c = l.get(i);
            p.add(new DenoiserArchitecture.Param("d." + i + ".weight", new long[] {c[1], c[0], c[2], c[2]},
                    DenoiserArchitecture.Init.HE_NORMAL, true));
            p.add(new DenoiserArchitecture.Param("d." + i + ".bias", new long[] {c[1]},
                    DenoiserArchitecture.Init.ZEROS, true));
        }
        return p;
    }

    /** He-normal weights (for leaky ReLU's slope) and zero biases from {@code seed}. */
    static float[] initial(DenoiserArchitecture.Param p, Random rnd) {
        int n = 1;
        for (long d : p.shape()) {
            n *= (int) d;
        }
        float[] v = new float[n];
        if (p.init() == DenoiserArchitecture.Init.HE_NORMAL) {
            double std = Math.sqrt(2.0 / (1 + 0.04) / ((double) n / p.shape()[0]));
            for (int i = 0; i < n; i++) {
                v[i] = (float) (std * rnd.nextGaussian());
            }
        }
        return v;
    }

    /** Logits [N, 1, H/8, W/8] for images [N, 3, H, W] in [0, 1]. */
    NDArray forward(Map<String, NDArray> p, NDArray x) {
        List<int[]> l = layers();
        NDArray h = x;
        for (int i = 0; i < l.size(); i++) {
            int k = l.get(i)[2];
            int stride = l.get(i)[3];
            long pad = stride == 2 ? 1 : k / 2;
            h = FiniteCheck.check(Conv2d.conv2d(h, p.get("d." + i + ".weight"), p.get("d." + i + ".bias"),
                    new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow(),
                    "discriminator d." + i, "convolution");
            if (i < l.size() - 1) {
                h = Activation.leakyRelu(h, 0.2f);
            }
        }
        return h;
    }
}
