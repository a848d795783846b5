package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * MSRResNet with BasicSR's key names: {@code conv_first}, {@code body.N.conv1/conv2} residual blocks,
 * {@code upconv1[/upconv2]} with pixel shuffle, {@code conv_hr}, {@code conv_last}, plus the bilinearly up-sampled
 * input.
 */
final class MsrResNet extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("msrresnet", "MSRResNet (BasicSR keys): conv_first, "
            + "body.N.conv1/conv2, upconv1[/upconv2], conv_hr, conv_last", MsrResNet::detect,
            MsrResNet::permutations);

    /**
     * The trunk is one tie: conv_first's outputs and every block's conv2 outputs are added together, so they share
     * one order, which every block's conv1 and upconv1 read. Each block's conv1 outputs feed its conv2; conv_hr's
     * feed conv_last. The up-sampling convs' outputs are pixel-shuffled (a channel is a block of r*r rows) and stay.
     */
    static PermutationSpec permutations(ModelWeights w) {
        int blocks = 0;
        while (w.contains("body." + blocks + ".conv1.weight")) {
            blocks++;
        }
        java.util.List<PermutationSpec.Slot> trunk = new java.util.ArrayList<>(java.util.List.of(
                PermutationSpec.Slot.of("conv_first.weight", 0), PermutationSpec.Slot.of("conv_first.bias", 0),
                PermutationSpec.Slot.of("upconv1.weight", 1)));
        PermutationSpec.Builder b = new PermutationSpec.Builder("msrresnet", w);
        for (int i = 0; i < blocks; i++) {
            String p = "body." + i;
            trunk.add(PermutationSpec.Slot.of(p + ".conv1.weight", 1));
            trunk.add(PermutationSpec.Slot.of(p + ".conv2.weight", 0));
            trunk.add(PermutationSpec.Slot.of(p + ".conv2.bias", 0));
            b.chain(p + ".conv1", java.util.List.of(p + ".conv1.weight", p + ".conv1.bias"),
                    java.util.List.of(p + ".conv2.weight"));
        }
        b.group(new PermutationSpec.Group("trunk", w.get("conv_first.weight").shape()[0], trunk));
        b.chain("conv_hr", java.util.List.of("conv_hr.weight", "conv_hr.bias"), java.util.List.of("conv_last.weight"));
        return b.build();
    }

    private final int blocks;
    private final int scale;

    MsrResNet(int blocks, int scale, NDManager parent) {
        super(parent);
        this.blocks = blocks;
        this.scale = scale;
    }

    @Override
    public float[] forward(float[] input, int batch, int c, int height, int width, int[] outShape) {
        float[] y;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = input(scope, input, new Shape(batch, c, height, width));
            NDArray feat = Activation.leakyRelu(conv(x, "conv_first"), 0.1f);
            for (int b = 0; b < blocks; b++) {
                feat = feat.add(conv(Ops.maximum(conv(feat, "body." + b + ".conv1"), 0), "body." + b + ".conv2"));
            }
            if (scale == 4) {
                feat = Activation.leakyRelu(pixelShuffle(conv(feat, "upconv1"), 2), 0.1f);
                feat = Activation.leakyRelu(pixelShuffle(conv(feat, "upconv2"), 2), 0.1f);
            } else {
                feat = Activation.leakyRelu(pixelShuffle(conv(feat, "upconv1"), scale), 0.1f);
            }
            y = conv(Activation.leakyRelu(conv(feat, "conv_hr"), 0.1f), "conv_last").toFloatArray();
        }
        addBilinear(input, batch * c, height, width, scale, y);
        outShape[0] = c;
        outShape[1] = height * scale;
        outShape[2] = width * scale;
        return y;
    }

    static NetworkSpec detect(ModelWeights w) {
        for (String k : new String[] {"conv_first", "upconv1", "conv_hr", "conv_last"}) {
            if (!w.contains(k + ".weight")) {
                return null;
            }
        }
        int blocks = 0;
        while (w.contains("body." + blocks + ".conv1.weight")) {
            blocks++;
        }
        boolean two = w.contains("upconv2.weight");
        if (w.tensorCount() != 8 + 4 * blocks + (two ? 2 : 0)) {
            return null;
        }
        int nf = w.get("conv_first.weight").shape()[0];
        int up1 = w.get("upconv1.weight").shape()[0] / nf;
        int scale = two ? 4 : (int) Math.round(Math.sqrt(up1));
        if (!two && scale * scale != up1) {
            return null;
        }
        int numBlocks = blocks;
        return new Architecture.BuiltIn("MSRResNet(scale=" + scale + ", num_feat=" + nf + ", num_block=" + blocks
                + ")", NetworkGeometry.padded(scale, 2 * blocks + 4, 1), m -> new MsrResNet(numBlocks, scale, m));
    }

    /** Adds PyTorch's bilinear up-sampling (align_corners=False) of {@code in} by {@code r} to {@code out}. */
    static void addBilinear(float[] in, int planes, int h, int w, int r, float[] out) {
        int oh = h * r;
        int ow = w * r;
        int[] y0 = new int[oh];
        int[] y1 = new int[oh];
        float[] ly = new float[oh];
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        float[] lx = new float[ow];
        axis(h, r, y0, y1, ly);
        axis(w, r, x0, x1, lx);
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            int obase = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float top = (1 - lx[ox]) * in[base + y0[oy] * w + x0[ox]] + lx[ox] * in[base + y0[oy] * w + x1[ox]];
                    float bottom = (1 - lx[ox]) * in[base + y1[oy] * w + x0[ox]] + lx[ox] * in[base + y1[oy] * w + x1[ox]];
                    out[obase + oy * ow + ox] += (1 - ly[oy]) * top + ly[oy] * bottom;
                }
            }
        }
    }

    private static void axis(int n, int r, int[] i0, int[] i1, float[] lambda) {
        float scale = 1f / r;
        for (int o = 0; o < i0.length; o++) {
            float src = Math.max(0f, scale * (o + 0.5f) - 0.5f);
            int a = (int) src;
            i0[o] = a;
            i1[o] = a + (a < n - 1 ? 1 : 0);
            lambda[o] = src - a;
        }
    }
}
