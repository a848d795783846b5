package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.TrainableNetwork;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;
import org.dnispark.runtime.FiniteCheck;

/**
 * RRDBNet (ESRGAN; the paper's PSNR-oriented and GAN models) with BasicSR's key names, which are canonical: every
 * other layout is renamed to them when the model is read ({@link EsrganLayout}). {@code conv_first},
 * {@code body.N.rdb{1,2,3}.conv{1..5}} (residual dense blocks, leaky ReLU 0.2, residual scaling 0.2),
 * {@code conv_body}, L nearest-neighbour x2 up-samplings ({@code conv_up1..L}, L from 0 to 4), {@code conv_hr},
 * {@code conv_last}. Models whose first conv takes 4 or 16 times the output channels pixel-unshuffle their input by 2
 * or 4 first (Real-ESRGAN's x2 and x1); the scale is 2^L over that factor.
 */
public final class RrdbNet extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("rrdbnet", "RRDBNet (ESRGAN) in BasicSR's, ESRGAN's "
            + "original (model.N) or BSRGAN's (RRDB_trunk) layout: any block and feature count; scales 1, 2, 4, 8 "
            + "and 16; pixel-unshuffled inputs (Real-ESRGAN x1, x2); RGB", RrdbNet::detect,
            RrdbNet::permutations);

    /**
     * The trunk is one tie: conv_first's outputs, every dense block's conv5 outputs and conv_body's outputs are added
     * together, so they share one order, which every dense conv reads in the first num_feat channels of its
     * concatenated input, as do conv_body and conv_up1. Each dense block's conv1..conv4 outputs are a group of their
     * own, read by the later convs of that block at their offset in the concatenation. conv_up1, conv_up2 and conv_hr
     * each feed the next conv.
     */
    static PermutationSpec permutations(ModelWeights w) {
        int blocks = 0;
        while (w.contains("body." + blocks + ".rdb1.conv1.weight")) {
            blocks++;
        }
        int nf = w.get("conv_first.weight").shape()[0];
        int gc = w.get("body.0.rdb1.conv1.weight").shape()[0];
        java.util.List<PermutationSpec.Slot> trunk = new java.util.ArrayList<>();
        for (String t : new String[] {"conv_first.weight", "conv_first.bias", "conv_body.bias"}) {
            trunk.add(PermutationSpec.Slot.of(t, 0));
        }
        int ups = EsrganLayout.upsamplers(w);
        trunk.add(PermutationSpec.Slot.of(ups > 0 ? "conv_up1.weight" : "conv_hr.weight", 1));
        PermutationSpec.Builder b = new PermutationSpec.Builder("rrdbnet", w);
        for (int i = 0; i < blocks; i++) {
            for (int r = 1; r <= 3; r++) {
                String p = "body." + i + ".rdb" + r;
                for (int c = 1; c <= 5; c++) {
                    trunk.add(PermutationSpec.Slot.of(p + ".conv" + c + ".weight", 1));
                }
                trunk.add(PermutationSpec.Slot.of(p + ".conv5.weight", 0));
                trunk.add(PermutationSpec.Slot.of(p + ".conv5.bias", 0));
                boolean plus = w.contains(p + ".conv1x1.weight");
                if (plus) {
                    trunk.add(PermutationSpec.Slot.of(p + ".conv1x1.weight", 1));
                }
                java.util.List<PermutationSpec.Slot> tied = new java.util.ArrayList<>();
                for (int c = 1; c <= 4; c++) {
                    java.util.List<PermutationSpec.Slot> dense = new java.util.ArrayList<>(java.util.List.of(
                            PermutationSpec.Slot.of(p + ".conv" + c + ".weight", 0),
                            PermutationSpec.Slot.of(p + ".conv" + c + ".bias", 0)));
                    for (int later = c + 1; later <= 5; later++) {
                        dense.add(new PermutationSpec.Slot(p + ".conv" + later + ".weight", 1, nf + (c - 1) * gc));
                    }
                    if (plus && (c == 2 || c == 4)) {
                        // ESRGAN+: x4 += x2 and x2 += conv1x1(x) tie conv2's, conv4's and conv1x1's outputs
                        tied.addAll(dense);
                    } else {
                        b.group(new PermutationSpec.Group(p + ".conv" + c, gc, dense));
                    }
                }
                if (plus) {
                    tied.add(PermutationSpec.Slot.of(p + ".conv1x1.weight", 0));
                    b.group(new PermutationSpec.Group(p + ".conv2+conv4", gc, tied));
                }
            }
        }
        // conv_body reads the trunk and writes into it, like each conv5: the trunk's order on both of its axes
        trunk.add(PermutationSpec.Slot.of("conv_body.weight", 0));
        trunk.add(PermutationSpec.Slot.of("conv_body.weight", 1));
        b.group(new PermutationSpec.Group("trunk", nf, trunk));
        for (int k = 1; k <= ups; k++) {
            String up = "conv_up" + k;
            b.chain(up, java.util.List.of(up + ".weight", up + ".bias"), java.util.List.of(k < ups ? "conv_up" + (k + 1)
                    + ".weight" : "conv_hr.weight"));
        }
        b.chain("conv_hr", java.util.List.of("conv_hr.weight", "conv_hr.bias"), java.util.List.of("conv_last.weight"));
        return b.build();
    }

    private final int blocks;
    /** Nearest-neighbour x2 up-samplings, each followed by its conv ({@code conv_up1..L}). */
    private final int upsamplers;
    private final int unshuffle;
    /** ESRGAN+: each dense block adds a 1x1 conv of its input to x2, and x2 to x4. */
    private final boolean plus;

    /**
     * An RRDBNet exported to ncnn the way Real-ESRGAN ships it (realesrgan-x4plus, -x4plus-anime), as a state dict
     * with BasicSR's keys: the file's convolutions, in its order, are conv_first, the 15 of each block (rdb1..3,
     * conv1..5), conv_body, conv_up1, conv_up2, conv_hr and conv_last. The graph is checked first: the convolution
     * count, one Eltwise per dense block and per block (residual scaling), two Interp (the up-samplings), one
     * BinaryOp (the trunk) and every tensor's shape. Values are copied exactly (fp16 stays fp16).
     */
    public static ModelWeights fromNcnn(org.dnispark.ncnn.NcnnModel model) {
        java.util.List<String> names = ncnnOrder(model);
        java.util.List<String> convs = new java.util.ArrayList<>();
        for (org.dnispark.ncnn.NcnnLayer l : model.graph().layers()) {
            if (l.type().equals("Convolution")) {
                convs.add(l.name());
            }
        }
        java.util.List<org.dnispark.core.NamedTensor> out = new java.util.ArrayList<>();
        for (int i = 0; i < convs.size(); i++) {
            for (String part : new String[] {"weight", "bias"}) {
                org.dnispark.core.NamedTensor t = model.weights().get(convs.get(i) + "." + part);
                if (t == null) {
                    throw new IllegalArgumentException(model.graph().source() + ": convolution " + convs.get(i)
                            + " has no " + part + "; expected an RRDBNet export with biases");
                }
                out.add(org.dnispark.core.NamedTensor.ofFloats(names.get(i) + "." + part, t.shape(), t.dtype(),
                        t.floatValues()));
            }
        }
        ModelWeights w = new ModelWeights(model.weights().label(), out);
        NetworkSpec spec = detect(w); // shapes: the built-in architecture must accept it as it is
        if (spec == null) {
            throw new IllegalArgumentException(model.graph().source() + ": its convolutions do not form an RRDBNet");
        }
        return w;
    }

    /** The reverse of {@link #fromNcnn}: a state dict back under the ncnn file's layer names (for its .bin). */
    public static ModelWeights toNcnn(ModelWeights stateDict, org.dnispark.ncnn.NcnnModel like) {
        java.util.List<String> names = ncnnOrder(like);
        java.util.List<org.dnispark.core.NamedTensor> out = new java.util.ArrayList<>();
        int i = 0;
        for (org.dnispark.ncnn.NcnnLayer l : like.graph().layers()) {
            if (l.type().equals("Convolution")) {
                for (String part : new String[] {"weight", "bias"}) {
                    org.dnispark.core.NamedTensor t = stateDict.get(names.get(i) + "." + part);
                    if (t == null) {
                        throw new IllegalArgumentException("state dict has no " + names.get(i) + "." + part);
                    }
                    out.add(org.dnispark.core.NamedTensor.ofFloats(l.name() + "." + part, t.shape(), t.dtype(),
                            t.floatValues()));
                }
                i++;
            }
        }
        return new ModelWeights(stateDict.label(), out);
    }

    /** BasicSR's names of an ncnn RRDBNet's convolutions, in the file's order, after checking its topology. */
    private static java.util.List<String> ncnnOrder(org.dnispark.ncnn.NcnnModel model) {
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        model.graph().layers().forEach(l -> count.merge(l.type(), 1, Integer::sum));
        int convs = count.getOrDefault("Convolution", 0);
        int blocks = (convs - 6) / 15;
        String source = model.graph().source();
        if (convs < 21 || (convs - 6) % 15 != 0 || count.getOrDefault("Eltwise", 0) != 4 * blocks
                || count.getOrDefault("Interp", 0) != 2 || count.getOrDefault("BinaryOp", 0) != 1
                || count.getOrDefault("Concat", 0) != 12 * blocks) {
            throw new IllegalArgumentException(source + ": not an ncnn RRDBNet (x4): expected 6 + 15 x blocks "
                    + "convolutions, 4 Eltwise and 12 Concat per block, 2 Interp and 1 BinaryOp; found " + count);
        }
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("conv_first"));
        for (int b = 0; b < blocks; b++) {
            for (int r = 1; r <= 3; r++) {
                for (int c = 1; c <= 5; c++) {
                    names.add("body." + b + ".rdb" + r + ".conv" + c);
                }
            }
        }
        names.addAll(java.util.List.of("conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"));
        return names;
    }

    private RrdbNet(int blocks, int upsamplers, int unshuffle, boolean plus, NDManager parent) {
        super(parent);
        this.blocks = blocks;
        this.upsamplers = upsamplers;
        this.unshuffle = unshuffle;
        this.plus = plus;
    }

    public static NetworkSpec detect(ModelWeights w) {
        for (String k : new String[] {"conv_first", "conv_body", "conv_hr", "conv_last"}) {
            if (!w.contains(k + ".weight") || !w.contains(k + ".bias")) {
                return null;
            }
        }
        int blocks = EsrganLayout.blocks(w);
        int ups = EsrganLayout.upsamplers(w);
        boolean plus = w.contains("body.0.rdb1.conv1x1.weight");
        int expected = 2 * (4 + ups) + blocks * 3 * (5 * 2 + (plus ? 1 : 0));
        if (blocks == 0 || ups > 4 || w.tensorCount() != expected) {
            return null;
        }
        int in = w.get("conv_first.weight").shape()[1];
        int out = w.get("conv_last.weight").shape()[0];
        int unshuffle = in == out ? 1 : in == 4 * out ? 2 : in == 16 * out ? 4 : 0;
        // a pixel-unshuffled input is divided by 2 or 4 first, so the up-samplers must at least undo that
        if (unshuffle == 0 || out != 3 || (1 << ups) < unshuffle) {
            return null;
        }
        int scale = (1 << ups) / unshuffle;
        int nf = w.get("conv_first.weight").shape()[0];
        int gc = w.get("body.0.rdb1.conv1.weight").shape()[0];
        // Receptive radius in input pixels: conv_first, 15 convs per block and conv_body at the (unshuffled) input
        // resolution, then up-sampled convs contributing fractions; 4 covers them generously.
        int radius = (2 + 15 * blocks) * unshuffle + 4;
        int numBlocks = blocks;
        int numUps = ups;
        return new Architecture.BuiltIn("RRDBNet(" + (plus ? "ESRGAN+, " : "") + "scale=" + scale + ", num_feat=" + nf
                + ", num_block=" + blocks + ", num_grow_ch=" + gc + ")", NetworkGeometry.padded(scale, radius,
                        unshuffle), m -> new RrdbNet(numBlocks, numUps, unshuffle, plus, m));
    }

    private static NDArray lrelu(NDArray x) {
        return Activation.leakyRelu(x, 0.2f);
    }

    private NDArray rdb(NDArray x, String p) {
        NDArray x1 = convLrelu(x, p + ".conv1");
        NDArray c2 = cat(x, x1);
        NDArray x2 = convLrelu(c2, p + ".conv2");
        release(c2);
        if (plus) {
            x2 = x2.add(FiniteCheck.check(Ops.sameConv(x, params.get(p + ".conv1x1.weight"), null), p + ".conv1x1",
                    "convolution"));
        }
        NDArray c3 = cat(x, x1, x2);
        NDArray x3 = convLrelu(c3, p + ".conv3");
        release(c3);
        NDArray c4 = cat(x, x1, x2, x3);
        NDArray x4 = convLrelu(c4, p + ".conv4");
        release(c4);
        if (plus) {
            x4 = x4.add(x2);
        }
        NDArray c5 = cat(x, x1, x2, x3, x4);
        NDArray x5 = conv(c5, p + ".conv5");
        release(c5, x1, x2, x3, x4);
        NDArray scaled = Ops.mul(x5, 0.2f);
        release(x5);
        NDArray out = scaled.add(x);
        release(scaled);
        return out;
    }

    /** A convolution and the leaky ReLU after it, the convolution's output freed once used. */
    private NDArray convLrelu(NDArray x, String name) {
        NDArray c = conv(x, name);
        NDArray out = lrelu(c);
        release(c);
        return out;
    }

    private static NDArray cat(NDArray... parts) {
        return ai.djl.ndarray.NDArrays.concat(new NDList(parts), 1);
    }

    /** The network on an NDArray batch: the one computation inference and {@link TrainableNetwork} share. */
    @Override
    protected NDArray forward(NDArray x) {
        Shape s = x.getShape();
        int r = unshuffle;
        NDArray feat = r == 1 ? x
                : x.reshape(s.get(0), s.get(1), s.get(2) / r, r, s.get(3) / r, r).transpose(0, 1, 3, 5, 2, 4)
                        .reshape(s.get(0), s.get(1) * r * r, s.get(2) / r, s.get(3) / r);
        feat = conv(feat, "conv_first");
        NDArray body = feat;
        for (int b = 0; b < blocks; b++) {
            String p = "body." + b;
            NDArray r1 = rdb(body, p + ".rdb1");
            NDArray r2 = rdb(r1, p + ".rdb2");
            release(r1);
            NDArray r3 = rdb(r2, p + ".rdb3");
            release(r2);
            NDArray scaled = Ops.mul(r3, 0.2f);
            release(r3);
            NDArray next = scaled.add(body);
            release(scaled);
            if (body != feat) {
                release(body);
            }
            body = next;
        }
        feat = feat.add(conv(body, "conv_body"));
        for (int k = 1; k <= upsamplers; k++) {
            feat = lrelu(conv(upsampleNearest(feat, 2, 2), "conv_up" + k));
        }
        return conv(lrelu(conv(feat, "conv_hr")), "conv_last");
    }
}
