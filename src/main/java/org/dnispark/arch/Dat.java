package org.dnispark.arch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.runtime.DerivedWeights;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * DAT (Dual Aggregation Transformer) with the key names of its authors' code as spandrel reads it: {@code conv_first},
 * {@code before_RG.1} (layer norm of the tokens), residual groups {@code layers.i} of {@code blocks.j} that alternate
 * spatial window attention (even blocks: two half-width branches of transposed rectangular windows, split sizes from
 * {@code rpe_biases}, a dynamic position bias MLP {@code pos.*}, shifted windows in the blocks upstream's rule picks)
 * and channel attention (odd blocks: L2-normalised transposed attention scaled by {@code temperature}), each with its
 * depth-wise conv branch and channel and spatial interactions (batch norms in eval mode), then a spatial-gate
 * feed-forward ({@code ffn}); {@code norm}, {@code conv_after_body}, and a pixelshuffle or pixelshuffledirect
 * reconstruction.
 *
 * <p><b>Buffers.</b> {@code rpe_biases} (float) and {@code relative_position_index} (integer) are functions of the
 * split sizes: checked against them on detection, then not read; the position bias itself is computed from the
 * interpolated {@code pos.*} MLP once per weight set, as upstream computes it per pass. {@code attn_mask_0/1} (float,
 * shifted blocks) depend on the training crop size only, and upstream recomputes them for any other size: this
 * network computes them for every input size and never reads the stored copy. Batch norm running statistics are
 * interpolated like weights (dni.interpolate's usual rule).
 *
 * <p>Geometry: the channel interaction pools over the whole image, so DAT always runs on the whole image (upstream
 * pads only inside the spatial attention, with zeros to a multiple of the larger split, and crops back).
 */
public final class Dat extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("dat", "DAT: conv_first, before_RG.1, "
            + "layers.i.blocks.j (attn.qkv, attn.attns.0/1.pos, attn.temperature, attn.dwconv, ffn.sg), "
            + "conv_after_body, pixelshuffle or pixelshuffledirect; RGB", Dat::detect,
            Architecture.refused("dat", "its spatial attention splits the channels into two fixed halves with their "
                    + "own heads, and the channel attention, interactions and depth-wise convs tie every token "
                    + "channel across the residual groups; the permutation groups do not express these ties"));

    /** What detection reads from shapes. */
    record Hyper(int embed, int[] depths, int[] heads, int split0, int split1, boolean pixelshuffle, int scale,
            boolean threeConv) implements java.io.Serializable {
        /** Upstream's rule for which spatial blocks shift their windows. */
        boolean shifted(int layer, int block) {
            return block % 2 == 0 && h0Shifted(layer, block);
        }
    }

    private static final float[] RGB_MEAN = {0.4488f, 0.4371f, 0.4040f};
    private final Hyper h;
    private final Map<String, float[]> masks = new ConcurrentHashMap<>();
    /** The position tables of the weight sets given so far (a sweep's coefficients), up to 16 MiB. */
    private final DerivedWeights positionTables = new DerivedWeights(16L << 20);

    private Dat(Hyper h, NDManager parent) {
        super(parent);
        this.h = h;
    }

    static String block(int layer, int block) {
        return "layers." + layer + ".blocks." + block + ".";
    }

    /** Counts tensors as detection checks them. */
    private static final class Check {
        final ModelWeights w;
        int count;

        Check(ModelWeights w) {
            this.w = w;
        }

        void tensor(String key, int... dims) {
            StateDictShapes.require(w, key, dims);
            count++;
        }

        void linear(String name, int out, int in, boolean bias) {
            tensor(name + ".weight", out, in);
            if (bias) {
                tensor(name + ".bias", out);
            }
        }

        void conv(String name, int out, int in, int k) {
            tensor(name + ".weight", out, in, k, k);
            tensor(name + ".bias", out);
        }

        void norm(String name, int dim) {
            tensor(name + ".weight", dim);
            tensor(name + ".bias", dim);
        }

        void batchNorm(String name, int dim) {
            norm(name, dim);
            tensor(name + ".running_mean", dim);
            tensor(name + ".running_var", dim);
            if (w.contains(name + ".num_batches_tracked")) {
                count++;
            }
        }

        void residualConv(String name, int dim, boolean three) {
            if (three) {
                conv(name + ".0", dim / 4, dim, 3);
                conv(name + ".2", dim / 4, dim / 4, 1);
                conv(name + ".4", dim, dim / 4, 3);
            } else {
                conv(name, dim, dim, 3);
            }
        }

        /** The depth-wise branch and both interactions every DAT attention has. */
        void interactions(String p, int dim) {
            conv(p + "dwconv.0", dim, 1, 3);
            batchNorm(p + "dwconv.1", dim);
            conv(p + "channel_interaction.1", dim / 8, dim, 1);
            batchNorm(p + "channel_interaction.2", dim / 8);
            conv(p + "channel_interaction.4", dim, dim / 8, 1);
            conv(p + "spatial_interaction.0", dim / 16, dim, 1);
            batchNorm(p + "spatial_interaction.1", dim / 16);
            conv(p + "spatial_interaction.3", 1, dim / 16, 1);
        }
    }

    static NetworkSpec detect(ModelWeights w) {
        String b00 = block(0, 0);
        if (!w.contains("conv_first.weight") || !w.contains("before_RG.1.weight") || !w.contains(b00
                + "ffn.sg.conv.weight") || !w.contains(b00 + "attn.attns.0.rpe_biases")) {
            return null;
        }
        int[] first = StateDictShapes.require(w, "conv_first.weight", -1, -1, 3, 3);
        int embed = first[0];
        if (first[1] != 3) {
            throw StateDictShapes.refuse(w, "conv_first.weight", "3 input channels (RGB)", first);
        }
        int[] rpe = StateDictShapes.require(w, b00 + "attn.attns.0.rpe_biases", -1, 2);
        float[] rv = w.get(b00 + "attn.attns.0.rpe_biases").floatValues();
        int split0 = Math.round(rv[rv.length - 2]) + 1;
        int split1 = Math.round(rv[rv.length - 1]) + 1;
        if (split0 < 1 || split1 < 1 || rpe[0] != (2 * split0 - 1) * (2 * split1 - 1)) {
            throw StateDictShapes.refuse(w, b00 + "attn.attns.0.rpe_biases", "a (2*H_sp-1)*(2*W_sp-1) x 2 grid", rpe);
        }
        boolean qkvBias = w.contains(b00 + "attn.qkv.bias");
        boolean threeConv = !w.contains("conv_after_body.weight");
        int hidden = StateDictShapes.require(w, b00 + "ffn.fc1.weight", -1, embed)[0];
        Check c = new Check(w);
        c.conv("conv_first", embed, 3, 3);
        c.norm("before_RG.1", embed);
        int layers = 0;
        while (w.contains(block(layers, 0) + "norm1.weight")) {
            layers++;
        }
        int[] depths = new int[layers];
        int[] heads = new int[layers];
        for (int i = 0; i < layers; i++) {
            while (w.contains(block(i, depths[i]) + "norm1.weight")) {
                depths[i]++;
            }
            heads[i] = depths[i] >= 2 ? StateDictShapes.require(w, block(i, 1) + "attn.temperature", -1, 1, 1)[0]
                    : 2 * StateDictShapes.require(w, block(i, 0) + "attn.attns.0.pos.pos3.2.weight", -1, -1)[0];
            for (int j = 0; j < depths[i]; j++) {
                String p = block(i, j);
                c.norm(p + "norm1", embed);
                c.norm(p + "norm2", embed);
                c.linear(p + "attn.qkv", 3 * embed, embed, qkvBias);
                c.linear(p + "attn.proj", embed, embed, true);
                c.interactions(p + "attn.", embed);
                if (j % 2 == 0) {
                    for (int branch = 0; branch < 2; branch++) {
                        String a = p + "attn.attns." + branch + ".";
                        int hs = branch == 0 ? split0 : split1;
                        int ws = branch == 0 ? split1 : split0;
                        c.tensor(a + "rpe_biases", (2 * hs - 1) * (2 * ws - 1), 2);
                        if (!java.util.Arrays.equals(w.get(a + "rpe_biases").floatValues(), rpeBiases(hs, ws))) {
                            throw new IllegalArgumentException("'" + w.label() + "': key " + a + "rpe_biases is not "
                                    + "the position grid of " + hs + "x" + ws + " windows");
                        }
                        StateDictShapes.requireInteger(w, a + "relative_position_index", hs * ws, hs * ws);
                        if (!java.util.Arrays.equals(w.get(a + "relative_position_index").longValues(),
                                Layers.relativeIndex(hs, ws))) {
                            throw new IllegalArgumentException("'" + w.label() + "': key " + a
                                    + "relative_position_index is not the relative position index of " + hs + "x"
                                    + ws + " windows");
                        }
                        c.count++;
                        int posDim = StateDictShapes.require(w, a + "pos.pos_proj.weight", -1, 2)[0];
                        c.linear(a + "pos.pos_proj", posDim, 2, true);
                        for (String k : new String[] {"pos1", "pos2", "pos3"}) {
                            c.norm(a + "pos." + k + ".0", posDim);
                            c.linear(a + "pos." + k + ".2", k.equals("pos3") ? heads[i] / 2 : posDim, posDim, true);
                        }
                    }
                    if (h0Shifted(i, j)) {
                        for (String m : new String[] {"attn_mask_0", "attn_mask_1"}) {
                            if (w.contains(p + "attn." + m)) {
                                c.count++;
                            }
                        }
                    }
                } else {
                    c.tensor(p + "attn.temperature", heads[i], 1, 1);
                }
                c.linear(p + "ffn.fc1", hidden, embed, true);
                c.norm(p + "ffn.sg.norm", hidden / 2);
                c.conv(p + "ffn.sg.conv", hidden / 2, 1, 3);
                c.linear(p + "ffn.fc2", embed, hidden / 2, true);
            }
            c.residualConv("layers." + i + ".conv", embed, threeConv);
        }
        c.norm("norm", embed);
        c.residualConv("conv_after_body", embed, threeConv);
        boolean pixelshuffle = w.contains("conv_last.weight");
        int scale = 1;
        if (pixelshuffle) {
            int feat = StateDictShapes.require(w, "conv_before_upsample.0.weight", -1, embed, 3, 3)[0];
            c.conv("conv_before_upsample.0", feat, embed, 3);
            for (int k = 0; w.contains("upsample." + k + ".weight"); k += 2) {
                int out = StateDictShapes.require(w, "upsample." + k + ".weight", -1, feat, 3, 3)[0];
                int r = out == 4 * feat ? 2 : out == 9 * feat ? 3 : 0;
                if (r == 0) {
                    throw StateDictShapes.refuse(w, "upsample." + k + ".weight", "4 or 9 times " + feat
                            + " output channels", w.get("upsample." + k + ".weight").shape());
                }
                c.conv("upsample." + k, out, feat, 3);
                scale *= r;
            }
            c.conv("conv_last", 3, feat, 3);
        } else {
            int out = StateDictShapes.require(w, "upsample.0.weight", -1, embed, 3, 3)[0];
            scale = (int) Math.round(Math.sqrt(out / 3.0));
            if (scale * scale * 3 != out) {
                throw StateDictShapes.refuse(w, "upsample.0.weight", "3*r*r output channels",
                        w.get("upsample.0.weight").shape());
            }
            c.conv("upsample.0", out, embed, 3);
        }
        if (c.count != w.tensorCount()) {
            throw new IllegalArgumentException("'" + w.label() + "': DAT keys, but " + w.tensorCount() + " tensors where "
                    + c.count + " were expected for " + layers + " residual groups of depths "
                    + java.util.Arrays.toString(depths));
        }
        Hyper hy = new Hyper(embed, depths, heads, split0, split1, pixelshuffle, scale, threeConv);
        String name = "DAT(embed_dim=" + embed + ", depth=" + java.util.Arrays.toString(depths) + ", num_heads="
                + java.util.Arrays.toString(heads) + ", split_size=[" + split0 + ", " + split1 + "], expansion_factor="
                + ((double) hidden / embed) + ", upscale=" + scale + (pixelshuffle ? "" : ", upsampler=pixelshuffledirect")
                + (threeConv ? ", resi_connection=3conv" : "") + (qkvBias ? "" : ", qkv_bias=False") + ")";
        return new Architecture.BuiltIn(name, new NetworkGeometry(scale, 0, 0, 1, true), m -> new Dat(hy, m));
    }

    private static boolean h0Shifted(int layer, int block) {
        return (layer % 2 == 0 && block > 0 && (block - 2) % 4 == 0) || (layer % 2 != 0 && block % 4 == 0);
    }

    /** The position grid DynamicPosBias reads: (dy, dx) for dy in 1-H..H-1, dx in 1-W..W-1, row-major. */
    static float[] rpeBiases(int hs, int ws) {
        float[] out = new float[(2 * hs - 1) * (2 * ws - 1) * 2];
        int k = 0;
        for (int dy = 1 - hs; dy < hs; dy++) {
            for (int dx = 1 - ws; dx < ws; dx++) {
                out[k++] = dy;
                out[k++] = dx;
            }
        }
        return out;
    }

    /** Each spatial branch's position bias [1, heads, N, N], computed by its MLP once per weight set. */
    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = super.load(weights, into);
        // the tables once per weight set (kept, see DerivedWeights), spread into each window's bias at every swap
        Map<String, NamedTensor> tables = positionTables.of(weights, w -> {
            Map<String, NamedTensor> out = new HashMap<>();
            for (Branch b : branches()) {
                float[] table = positionTable(p, b.prefix(), b.hs(), b.ws(), into);
                out.put(b.prefix(), NamedTensor.ofFloats(b.prefix(), new int[] {table.length}, DType.FLOAT32, table));
            }
            return out;
        });
        for (Branch b : branches()) {
            int n = b.hs() * b.ws();
            float[] bias = Layers.gatherBias(tables.get(b.prefix()).floatValues(), Layers.relativeIndex(b.hs(), b.ws()),
                    b.heads());
            p.put(b.prefix() + "bias", Tensors.copyIn(into, bias, new Shape(1, b.heads(), n, n)));
        }
        return p;
    }

    /** One attention branch with a position bias: its key prefix, window height and width, and heads. */
    private record Branch(String prefix, int hs, int ws, int heads) {
    }

    /** Every branch with a position bias: two per pair of blocks (the spatial blocks), in the order they run. */
    private List<Branch> branches() {
        List<Branch> out = new java.util.ArrayList<>();
        for (int i = 0; i < h.depths().length; i++) {
            for (int j = 0; j < h.depths()[i]; j += 2) {
                for (int branch = 0; branch < 2; branch++) {
                    out.add(new Branch(block(i, j) + "attn.attns." + branch + ".", branch == 0 ? h.split0()
                            : h.split1(), branch == 0 ? h.split1() : h.split0(), h.heads()[i] / 2));
                }
            }
        }
        return out;
    }

    /** The position MLP over the relative-offset grid: {@code [(2H-1)(2W-1), heads]}, row-major. */
    private static float[] positionTable(Map<String, NDArray> p, String a, int hs, int ws, NDManager into) {
        try (NDManager scope = into.newSubManager()) {
            float[] grid = rpeBiases(hs, ws);
            NDArray pos = Tensors.copyIn(scope, grid, new Shape(grid.length / 2, 2));
            pos = Layers.linear(pos, p.get(a + "pos.pos_proj.weight"), p.get(a + "pos.pos_proj.bias"));
            for (String k : new String[] {"pos1", "pos2", "pos3"}) {
                pos = Layers.layerNorm(pos, p.get(a + "pos." + k + ".0.weight"), p.get(a + "pos." + k + ".0.bias"),
                        1e-5);
                pos = Layers.linear(Ops.maximum(pos, 0), p.get(a + "pos." + k + ".2.weight"), p.get(a + "pos." + k
                        + ".2.bias"));
            }
            return pos.toFloatArray();
        }
    }

    @Override
    protected NDArray forward(NDArray x) {
        NDArray mean = Tensors.copyIn(x.getManager(), RGB_MEAN, new Shape(1, 3, 1, 1));
        x = conv(x.sub(mean), "conv_first");
        x = residualConv(features(x), "conv_after_body").add(x);
        if (h.pixelshuffle()) {
            x = Activation.leakyRelu(conv(x, "conv_before_upsample.0"), 0.01f);
            for (int k = 0; params.containsKey("upsample." + k + ".weight"); k += 2) {
                NDArray wk = params.get("upsample." + k + ".weight");
                x = pixelShuffle(conv(x, "upsample." + k), wk.getShape().get(0) == 9 * wk.getShape().get(1) ? 3 : 2);
            }
            x = conv(x, "conv_last");
        } else {
            x = pixelShuffle(conv(x, "upsample.0"), h.scale());
        }
        return x.add(mean);
    }

    private NDArray residualConv(NDArray x, String name) {
        return Layers.residualConv(x, name, h.threeConv(), this::conv);
    }

    private static NDArray tokens(NDArray img) {
        Shape s = img.getShape();
        return img.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
    }

    private static NDArray image(NDArray t, long height, long width) {
        Shape s = t.getShape();
        return t.transpose(0, 2, 1).reshape(s.get(0), s.get(2), height, width);
    }

    private NDArray norm(NDArray t, String name) {
        return Layers.layerNorm(t, params.get(name + ".weight"), params.get(name + ".bias"), 1e-5);
    }

    private NDArray features(NDArray x) {
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray t = norm(tokens(x), "before_RG.1");
        for (int i = 0; i < h.depths().length; i++) {
            NDArray res = t;
            for (int j = 0; j < h.depths()[i]; j++) {
                String p = block(i, j);
                NDArray n1 = norm(t, p + "norm1");
                t = t.add(j % 2 == 0 ? spatialAttention(n1, i, j, height, width)
                        : channelAttention(n1, p, h.heads()[i], height, width));
                t = t.add(gatedFeedForward(norm(t, p + "norm2"), p, height, width));
            }
            t = tokens(residualConv(image(t, height, width), "layers." + i + ".conv")).add(res);
        }
        return image(norm(t, "norm"), height, width);
    }

    private NDArray depthwise(NDArray x, String name) {
        long c = x.getShape().get(1);
        return observed(name, Conv2d.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"),
                new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), (int) c).singletonOrThrow());
    }

    private NDArray batchNorm(NDArray x, String name) {
        return Ops.batchNorm(x, params.get(name + ".running_mean"), params.get(name + ".running_var"),
                params.get(name + ".weight"), params.get(name + ".bias"), 1e-5f);
    }

    private static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    private static NDArray sigmoid(NDArray x) {
        return x.getNDArrayInternal().sigmoid();
    }

    /** Depth-wise 3x3, batch norm, GELU. */
    private NDArray convBranch(NDArray img, String p) {
        return gelu(batchNorm(depthwise(img, p + "dwconv.0"), p + "dwconv.1"));
    }

    /** Global average, 1x1 to dim/8, batch norm, GELU, 1x1 back: [B, C, 1, 1]. */
    private NDArray channelInteraction(NDArray img, String p) {
        NDArray y = conv(img.mean(new int[] {3}, true).mean(new int[] {2}, true), p + "channel_interaction.1");
        return conv(gelu(batchNorm(y, p + "channel_interaction.2")), p + "channel_interaction.4");
    }

    /** 1x1 to dim/16, batch norm, GELU, 1x1 to one map: [B, 1, H, W]. */
    private NDArray spatialInteraction(NDArray img, String p) {
        NDArray y = conv(img, p + "spatial_interaction.0");
        return conv(gelu(batchNorm(y, p + "spatial_interaction.1")), p + "spatial_interaction.3");
    }

    private NDArray spatialAttention(NDArray x, int layer, int index, long height, long width) {
        String p = block(layer, index) + "attn.";
        Shape s = x.getShape();
        long b = s.get(0);
        long l = s.get(1);
        long c = s.get(2);
        NDArray qkv = Layers.linear(x, params.get(p + "qkv.weight"), params.get(p + "qkv.bias")).reshape(b, l, 3, c)
                .transpose(2, 0, 1, 3); // 3, B, L, C
        NDArray v = qkv.get(2).transpose(0, 2, 1).reshape(b, c, height, width);
        long max = Math.max(h.split0(), h.split1());
        long padR = (max - width % max) % max;
        long padB = (max - height % max) % max;
        long hp = height + padB;
        long wp = width + padR;
        NDArray img = qkv.reshape(3 * b, height, width, c).transpose(0, 3, 1, 2);
        if (padR > 0 || padB > 0) {
            img = img.pad(new Shape(0, padR, 0, padB), 0); // F.pad order: last axis first
        }
        NDArray padded = img.reshape(3, b, c, hp * wp).transpose(0, 1, 3, 2); // 3, B, Lp, C
        int heads = h.heads()[layer] / 2;
        long half = c / 2;
        NDArray x1;
        NDArray x2;
        if (h.shifted(layer, index)) {
            NDArray grid = padded.reshape(3, b, hp, wp, c);
            long sh0 = h.split0() / 2;
            long sh1 = h.split1() / 2;
            NDArray q0 = Layers.roll(Layers.roll(grid.get(new NDIndex("..., :{}", half)), -sh0, 2), -sh1, 3)
                    .reshape(3, b, hp * wp, half);
            NDArray q1 = Layers.roll(Layers.roll(grid.get(new NDIndex("..., {}:", half)), -sh1, 2), -sh0, 3)
                    .reshape(3, b, hp * wp, half);
            x1 = branch(q0, p + "attns.0.", h.split0(), h.split1(), heads, hp, wp, mask(x, hp, wp, 0));
            x2 = branch(q1, p + "attns.1.", h.split1(), h.split0(), heads, hp, wp, mask(x, hp, wp, 1));
            x1 = Layers.roll(Layers.roll(x1, sh0, 1), sh1, 2);
            x2 = Layers.roll(Layers.roll(x2, sh1, 1), sh0, 2);
        } else {
            x1 = branch(padded.get(new NDIndex("..., :{}", half)), p + "attns.0.", h.split0(), h.split1(), heads, hp,
                    wp, null);
            x2 = branch(padded.get(new NDIndex("..., {}:", half)), p + "attns.1.", h.split1(), h.split0(), heads, hp,
                    wp, null);
        }
        x1 = x1.get(new NDIndex(":, :{}, :{}", height, width)).reshape(b, l, half);
        x2 = x2.get(new NDIndex(":, :{}, :{}", height, width)).reshape(b, l, half);
        NDArray attended = NDArrays.concat(new NDList(x1, x2), 2);
        NDArray convX = convBranch(v, p);
        NDArray channelMap = channelInteraction(convX, p).reshape(b, 1, c);
        NDArray spatialMap = spatialInteraction(image(attended, height, width), p);
        attended = attended.mul(sigmoid(channelMap));
        convX = tokens(sigmoid(spatialMap).mul(convX));
        return Layers.linear(attended.add(convX), params.get(p + "proj.weight"), params.get(p + "proj.bias"));
    }

    /** One spatial branch on [3, B, Lp, C'] over hs x ws windows: [B, Hp, Wp, C']. */
    private NDArray branch(NDArray qkv, String a, int hs, int ws, int heads, long hp, long wp, NDArray mask) {
        long b = qkv.getShape().get(1);
        long c = qkv.getShape().get(3);
        long n = (long) hs * ws;
        long d = c / heads;
        NDArray q = Ops.mul(windows(qkv.get(0), hs, ws, heads, hp, wp), Math.pow(d, -0.5));
        NDArray k = windows(qkv.get(1), hs, ws, heads, hp, wp);
        NDArray v = windows(qkv.get(2), hs, ws, heads, hp, wp);
        NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).add(Ops.scopedLike(params.get(a + "bias").duplicate(), q));
        if (mask != null) {
            long nw = mask.getShape().get(0);
            attn = attn.reshape(b, nw, heads, n, n).add(mask.reshape(1, nw, 1, n, n)).reshape(-1, heads, n, n);
        }
        NDArray out = attn.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(-1, n, c);
        return out.reshape(b, hp / hs, wp / ws, hs, ws, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, c);
    }

    /** im2win: [B, Lp, C'] to [B * windows, heads, hs * ws, C' / heads]. */
    private static NDArray windows(NDArray x, int hs, int ws, int heads, long hp, long wp) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(2);
        return x.transpose(0, 2, 1).reshape(b, c, hp / hs, hs, wp / ws, ws).transpose(0, 2, 4, 3, 5, 1)
                .reshape(-1, (long) hs * ws, heads, c / heads).transpose(0, 2, 1, 3);
    }

    /** calculate_mask for branch 0 (windows split0 x split1) or 1 (split1 x split0) of a padded hp x wp image. */
    private NDArray mask(NDArray like, long hp, long wp, int branch) {
        int wh = branch == 0 ? h.split0() : h.split1();
        int ww = branch == 0 ? h.split1() : h.split0();
        int sh = wh / 2;
        int sw = ww / 2;
        int n = wh * ww;
        int hh = (int) hp;
        int wd = (int) wp;
        float[] values = masks.computeIfAbsent(hp + "x" + wp + "/" + branch, k -> Layers.shiftedWindowMask(hh, wd,
                wh, ww, sh, sw));
        return Tensors.copyIn(like.getManager(), values, new Shape(values.length / ((long) n * n), n, n));
    }

    private NDArray channelAttention(NDArray x, String p, int heads, long height, long width) {
        p = p + "attn.";
        Shape s = x.getShape();
        long b = s.get(0);
        long n = s.get(1);
        long c = s.get(2);
        NDArray qkv = Layers.linear(x, params.get(p + "qkv.weight"), params.get(p + "qkv.bias"))
                .reshape(b, n, 3, heads, c / heads).transpose(2, 0, 3, 1, 4);
        NDArray q = Layers.l2normalise(qkv.get(0).transpose(0, 1, 3, 2));
        NDArray k = Layers.l2normalise(qkv.get(1).transpose(0, 1, 3, 2));
        NDArray v = qkv.get(2).transpose(0, 1, 3, 2); // B, heads, d, N
        NDArray vImg = v.reshape(b, c, height, width);
        NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).mul(Ops.scopedLike(params.get(p + "temperature")
                .duplicate(), x)).softmax(-1);
        NDArray attended = attn.matMul(v).transpose(0, 3, 1, 2).reshape(b, n, c);
        NDArray convX = convBranch(vImg, p);
        NDArray channelMap = channelInteraction(image(attended, height, width), p);
        NDArray spatialMap = spatialInteraction(convX, p).transpose(0, 2, 3, 1).reshape(b, n, 1);
        attended = attended.mul(sigmoid(spatialMap));
        convX = tokens(convX.mul(sigmoid(channelMap)));
        return Layers.linear(attended.add(convX), params.get(p + "proj.weight"), params.get(p + "proj.bias"));
    }

    /** SGFN: fc1, GELU, a spatial gate (half times the depth-wise conv of the layer-normed other half), fc2. */
    private NDArray gatedFeedForward(NDArray x, String p, long height, long width) {
        NDArray y = gelu(Layers.linear(x, params.get(p + "ffn.fc1.weight"), params.get(p + "ffn.fc1.bias")));
        long half = y.getShape().get(2) / 2;
        NDArray x1 = y.get(new NDIndex("..., :{}", half));
        NDArray x2 = norm(y.get(new NDIndex("..., {}:", half)), p + "ffn.sg.norm");
        x2 = tokens(depthwise(image(x2, height, width), p + "ffn.sg.conv"));
        return Layers.linear(x1.mul(x2), params.get(p + "ffn.fc2.weight"), params.get(p + "ffn.fc2.bias"));
    }
}
