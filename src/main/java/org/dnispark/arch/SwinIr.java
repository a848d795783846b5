package org.dnispark.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * SwinIR (image restoration with Swin Transformer) with the key names of its authors' code as spandrel reads it:
 * {@code conv_first}, {@code patch_embed.norm}, residual Swin Transformer blocks {@code layers.i} (each a
 * {@code residual_group} of {@code blocks.j}, window attention with a relative position bias, shifted by half a window
 * in every odd block, an MLP, then a 1conv or 3conv {@code conv}), {@code norm}, {@code conv_after_body}, and one of
 * its reconstructions: classical ({@code conv_before_upsample}, {@code upsample.*} pixel shuffles by 2 or 3,
 * {@code conv_last}), lightweight ({@code upsample.0} pixel shuffle by r), real-world ({@code conv_up1..3} after
 * nearest-neighbour doublings, {@code conv_hr}, {@code conv_last}) or none (restoration: the input plus
 * {@code conv_last}). Hyper-parameters come from shapes: window from {@code relative_position_index}, heads from the
 * tables, depths from the block keys, MLP width, image range 255 for window 7 (the JPEG models, as spandrel).
 *
 * <p><b>Buffers.</b> {@code relative_position_bias_table} is learned: it is interpolated like any weight and gathered
 * into each block's [heads, N, N] bias when weights are set. {@code relative_position_index} (integer) is a function
 * of the window size; it is checked against that function on detection and then not read. {@code attn_mask} (float,
 * in shifted blocks) is a function of the training crop size, which upstream recomputes for any other input size;
 * this network computes it for every input size, so the stored (possibly interpolated) copy is never read.
 *
 * <p>Geometry: the forward pass reflect-pads the image to a multiple of the window (right and bottom), as upstream,
 * and crops the output back. Attention windows are laid on the padded image from its origin and shifted windows wrap
 * around its edges, and each block widens the dependency by a window, so no tiling equals the whole image: SwinIR
 * always runs on the whole image. Alignment is refused (see {@link #ARCHITECTURE}).
 */
public final class SwinIr extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("swinir", "SwinIR: conv_first, patch_embed.norm, "
            + "layers.i.residual_group.blocks.j (attn.qkv, attn.relative_position_bias_table, mlp.fc1/fc2), "
            + "conv_after_body, then pixelshuffle, pixelshuffledirect, nearest+conv or no up-sampler; RGB",
            SwinIr::detect, Architecture.refused("swinir", "attention heads tie the rows of each qkv projection in "
                    + "head-sized groups and the embedding is tied through every residual, layer norm and "
                    + "relative position table; the permutation groups do not express these ties"));

    /** How the features become the output image. */
    enum Upsampler {
        PIXELSHUFFLE, PIXELSHUFFLEDIRECT, NEAREST_CONV, NONE
    }

    /** The hyper-parameters detection reads from the state dict. */
    record Hyper(int embed, int window, int[] depths, int[] heads, boolean[][] shifted, Upsampler upsampler,
            int scale, boolean threeConv, boolean patchNorm, double imgRange) implements java.io.Serializable {
    }

    private static final float[] RGB_MEAN = {0.4488f, 0.4371f, 0.4040f};
    private final Hyper h;
    /** Attention masks of shifted windows by padded image size: a function of the size only. */
    private final Map<Long, float[]> masks = new ConcurrentHashMap<>();

    private SwinIr(Hyper h, NDManager parent) {
        super(parent);
        this.h = h;
    }

    static String block(int layer, int block) {
        return "layers." + layer + ".residual_group.blocks." + block + ".";
    }

    static NetworkSpec detect(ModelWeights w) {
        String b00 = block(0, 0);
        if (!w.contains(b00 + "norm1.weight") || !w.contains(b00 + "mlp.fc1.bias")
                || !w.contains(b00 + "attn.relative_position_index")
                || !(w.contains("conv_first.weight") || w.contains("conv_first.1.weight"))) {
            return null;
        }
        if (!w.contains("conv_first.weight")) {
            throw new IllegalArgumentException("'" + w.label() + "': a SwinIR whose first conv follows a pixel "
                    + "unshuffle (key conv_first.1.weight); only SwinIR models without start_unshuffle are built in");
        }
        if (w.contains("absolute_pos_embed")) {
            throw new IllegalArgumentException("'" + w.label() + "': a SwinIR with an absolute position embedding (key "
                    + "absolute_pos_embed), which fixes the input size; only ape=False models are built in");
        }
        int[] first = StateDictShapes.require(w, "conv_first.weight", -1, -1, 3, 3);
        int embed = first[0];
        if (first[1] != 3) {
            throw StateDictShapes.refuse(w, "conv_first.weight", "3 input channels (RGB)", first);
        }
        int[] index = StateDictShapes.requireInteger(w, b00 + "attn.relative_position_index", -1, -1);
        int window = (int) Math.round(Math.sqrt(index[0]));
        if (window * window != index[0] || index[1] != index[0]) {
            throw StateDictShapes.refuse(w, b00 + "attn.relative_position_index", "[window^2, window^2]", index);
        }
        long[] expectedIndex = Layers.relativeIndex(window, window);
        List<int[]> depthsHeads = new ArrayList<>();
        int layers = 0;
        while (w.contains(block(layers, 0) + "norm1.weight")) {
            int depth = 0;
            while (w.contains(block(layers, depth) + "norm1.weight")) {
                depth++;
            }
            int heads = StateDictShapes.require(w, block(layers, 0) + "attn.relative_position_bias_table",
                    (2 * window - 1) * (2 * window - 1), -1)[1];
            depthsHeads.add(new int[] {depth, heads});
            layers++;
        }
        int mlp = StateDictShapes.require(w, b00 + "mlp.fc1.bias", -1)[0];
        boolean threeConv = !w.contains("conv_after_body.weight");
        int count = 2; // conv_first
        boolean patchNorm = w.contains("patch_embed.norm.weight");
        count += patchNorm ? 2 : 0;
        int[] depths = new int[layers];
        int[] heads = new int[layers];
        boolean[][] shifted = new boolean[layers][];
        for (int i = 0; i < layers; i++) {
            depths[i] = depthsHeads.get(i)[0];
            heads[i] = depthsHeads.get(i)[1];
            if (embed % heads[i] != 0) {
                throw StateDictShapes.refuse(w, block(i, 0) + "attn.relative_position_bias_table", "a head count "
                        + "that divides the embedding of " + embed, w.get(block(i, 0)
                                + "attn.relative_position_bias_table").shape());
            }
            shifted[i] = new boolean[depths[i]];
            for (int j = 0; j < depths[i]; j++) {
                String p = block(i, j);
                count += norm(w, p + "norm1", embed) + norm(w, p + "norm2", embed);
                StateDictShapes.require(w, p + "attn.relative_position_bias_table", (2 * window - 1)
                        * (2 * window - 1), heads[i]);
                NamedTensor idx = w.get(p + "attn.relative_position_index");
                StateDictShapes.requireInteger(w, p + "attn.relative_position_index", window * window, window * window);
                if (!java.util.Arrays.equals(idx.longValues(), expectedIndex)) {
                    throw new IllegalArgumentException("'" + w.label() + "': key " + p + "attn.relative_position_index "
                            + "is not Swin's relative position index for a window of " + window);
                }
                count += 2 + linear(w, p + "attn.qkv", 3 * embed, embed) + linear(w, p + "attn.proj", embed, embed)
                        + linear(w, p + "mlp.fc1", mlp, embed) + linear(w, p + "mlp.fc2", embed, mlp);
                shifted[i][j] = w.contains(p + "attn_mask");
                if (shifted[i][j]) {
                    count++;
                    if (j % 2 == 0) {
                        throw new IllegalArgumentException("'" + w.label() + "': key " + p + "attn_mask in an even "
                                + "block; SwinIR shifts only odd blocks");
                    }
                }
            }
            count += residualConv(w, "layers." + i + ".conv", embed, threeConv);
        }
        count += norm(w, "norm", embed);
        count += residualConv(w, "conv_after_body", embed, threeConv);
        Upsampler up;
        int scale;
        if (w.contains("conv_before_upsample.0.weight")) {
            int feat = StateDictShapes.require(w, "conv_before_upsample.0.weight", -1, embed, 3, 3)[0];
            count += conv(w, "conv_before_upsample.0", feat, embed, 3);
            if (w.contains("conv_up1.weight")) {
                up = Upsampler.NEAREST_CONV;
                int ups = 0;
                while (w.contains("conv_up" + (ups + 1) + ".weight")) {
                    ups++;
                    count += conv(w, "conv_up" + ups, feat, feat, 3);
                }
                if (ups > 3) {
                    throw new IllegalArgumentException("'" + w.label() + "': " + ups + " conv_upK layers; SwinIR's "
                            + "nearest+conv reconstruction has at most 3 (x8)");
                }
                scale = 1 << ups;
                count += conv(w, "conv_hr", feat, feat, 3) + conv(w, "conv_last", 3, feat, 3);
            } else {
                up = Upsampler.PIXELSHUFFLE;
                scale = 1;
                int k = 0;
                while (w.contains("upsample." + k + ".weight")) {
                    int out = StateDictShapes.require(w, "upsample." + k + ".weight", -1, feat, 3, 3)[0];
                    int r = out == 4 * feat ? 2 : out == 9 * feat ? 3 : 0;
                    if (r == 0) {
                        throw StateDictShapes.refuse(w, "upsample." + k + ".weight", "4 or 9 times " + feat + " output "
                                + "channels (pixel shuffle by 2 or 3)", w.get("upsample." + k + ".weight").shape());
                    }
                    count += conv(w, "upsample." + k, out, feat, 3);
                    scale *= r;
                    k += 2;
                }
                count += conv(w, "conv_last", 3, feat, 3);
            }
        } else if (w.contains("upsample.0.weight")) {
            up = Upsampler.PIXELSHUFFLEDIRECT;
            int out = StateDictShapes.require(w, "upsample.0.weight", -1, embed, 3, 3)[0];
            scale = (int) Math.round(Math.sqrt(out / 3.0));
            if (scale * scale * 3 != out) {
                throw StateDictShapes.refuse(w, "upsample.0.weight", "3*r*r output channels",
                        w.get("upsample.0.weight").shape());
            }
            count += conv(w, "upsample.0", out, embed, 3);
        } else {
            up = Upsampler.NONE;
            scale = 1;
            count += conv(w, "conv_last", 3, embed, 3);
        }
        StateDictShapes.require(w, "conv_first.bias", embed);
        if (w.tensorCount() != count) {
            throw new IllegalArgumentException("'" + w.label() + "': SwinIR keys, but " + w.tensorCount() + " tensors "
                    + "where " + count + " were expected for " + layers + " layers of depths "
                    + java.util.Arrays.toString(depths) + " and a " + up.name().toLowerCase() + " reconstruction");
        }
        Hyper hy = new Hyper(embed, window, depths, heads, shifted, up, scale, threeConv, patchNorm,
                window == 7 ? 255.0 : 1.0);
        String name = "SwinIR(embed_dim=" + embed + ", depths=" + java.util.Arrays.toString(depths) + ", num_heads="
                + java.util.Arrays.toString(heads) + ", window_size=" + window + ", mlp_ratio=" + ((double) mlp / embed)
                + ", upscale=" + scale + ", upsampler=" + switch (up) {
                    case PIXELSHUFFLE -> "pixelshuffle";
                    case PIXELSHUFFLEDIRECT -> "pixelshuffledirect";
                    case NEAREST_CONV -> "nearest+conv";
                    case NONE -> "none";
                } + (threeConv ? ", resi_connection=3conv" : "") + ")";
        return new Architecture.BuiltIn(name, new NetworkGeometry(scale, 0, 0, 1, true), m -> new SwinIr(hy, m));
    }

    private static int norm(ModelWeights w, String name, int dim) {
        StateDictShapes.require(w, name + ".weight", dim);
        StateDictShapes.require(w, name + ".bias", dim);
        return 2;
    }

    private static int linear(ModelWeights w, String name, int out, int in) {
        StateDictShapes.require(w, name + ".weight", out, in);
        StateDictShapes.require(w, name + ".bias", out);
        return 2;
    }

    private static int conv(ModelWeights w, String name, int out, int in, int k) {
        StateDictShapes.require(w, name + ".weight", out, in, k, k);
        StateDictShapes.require(w, name + ".bias", out);
        return 2;
    }

    private static int residualConv(ModelWeights w, String name, int dim, boolean three) {
        if (!three) {
            return conv(w, name, dim, dim, 3);
        }
        return conv(w, name + ".0", dim / 4, dim, 3) + conv(w, name + ".2", dim / 4, dim / 4, 1)
                + conv(w, name + ".4", dim, dim / 4, 3);
    }

    /** Each block's relative position bias [heads, N, N], gathered from its table once per weight set. */
    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = super.load(weights, into);
        int n = h.window() * h.window();
        long[] index = Layers.relativeIndex(h.window(), h.window());
        for (int i = 0; i < h.depths().length; i++) {
            int heads = h.heads()[i];
            for (int j = 0; j < h.depths()[i]; j++) {
                float[] bias = Layers.gatherBias(weights.get(block(i, j) + "attn.relative_position_bias_table")
                        .floatValues(), index, heads);
                p.put(block(i, j) + "attn.bias", Tensors.copyIn(into, bias, new Shape(1, heads, n, n)));
            }
        }
        return p;
    }

    @Override
    protected NDArray forward(NDArray x) {
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray mean = Ops.scopedLike(Tensors.copyIn(x.getManager(), RGB_MEAN, new Shape(1, 3, 1, 1)), x);
        x = Layers.reflectPadToMultiple(x, h.window());
        x = Ops.mul(x.sub(mean), h.imgRange());
        if (h.upsampler() == Upsampler.NONE) {
            NDArray first = conv(x, "conv_first");
            NDArray res = residualConv(features(first), "conv_after_body").add(first);
            x = x.add(conv(res, "conv_last"));
        } else {
            x = conv(x, "conv_first");
            x = residualConv(features(x), "conv_after_body").add(x);
            switch (h.upsampler()) {
                case PIXELSHUFFLE -> {
                    x = Activation.leakyRelu(conv(x, "conv_before_upsample.0"), 0.01f);
                    for (int k = 0; params.containsKey("upsample." + k + ".weight"); k += 2) {
                        x = conv(x, "upsample." + k);
                        long c = params.get("upsample." + k + ".weight").getShape().get(0);
                        x = pixelShuffle(x, c == 9L * params.get("upsample." + k + ".weight").getShape().get(1) ? 3 : 2);
                    }
                    x = conv(x, "conv_last");
                }
                case PIXELSHUFFLEDIRECT -> x = pixelShuffle(conv(x, "upsample.0"), h.scale());
                case NEAREST_CONV -> {
                    x = Activation.leakyRelu(conv(x, "conv_before_upsample.0"), 0.01f);
                    for (int k = 1; params.containsKey("conv_up" + k + ".weight"); k++) {
                        x = Activation.leakyRelu(conv(upsampleNearest(x, 2, 2), "conv_up" + k), 0.2f);
                    }
                    x = conv(Activation.leakyRelu(conv(x, "conv_hr"), 0.2f), "conv_last");
                }
                default -> throw new IllegalStateException(h.upsampler().toString());
            }
        }
        x = Ops.mul(x, 1.0 / h.imgRange()).add(mean);
        return Layers.crop(x, height * h.scale(), width * h.scale());
    }

    private NDArray residualConv(NDArray x, String name) {
        return Layers.residualConv(x, name, h.threeConv(), this::conv);
    }

    /** forward_features: tokens through every residual Swin Transformer block, layer-normed, back to an image. */
    private NDArray features(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long height = s.get(2);
        long width = s.get(3);
        NDArray t = x.reshape(b, c, height * width).transpose(0, 2, 1);
        if (h.patchNorm()) {
            t = Layers.layerNorm(t, params.get("patch_embed.norm.weight"), params.get("patch_embed.norm.bias"), 1e-5);
        }
        for (int i = 0; i < h.depths().length; i++) {
            NDArray r = t;
            for (int j = 0; j < h.depths()[i]; j++) {
                r = swinBlock(r, i, j, height, width);
            }
            NDArray img = r.transpose(0, 2, 1).reshape(b, c, height, width);
            t = residualConv(img, "layers." + i + ".conv").reshape(b, c, height * width).transpose(0, 2, 1).add(t);
        }
        t = Layers.layerNorm(t, params.get("norm.weight"), params.get("norm.bias"), 1e-5);
        return t.transpose(0, 2, 1).reshape(b, c, height, width);
    }

    private NDArray swinBlock(NDArray t, int layer, int index, long height, long width) {
        String p = block(layer, index);
        int win = h.window();
        boolean shift = h.shifted()[layer][index];
        long b = t.getShape().get(0);
        long c = t.getShape().get(2);
        NDArray y = Layers.layerNorm(t, params.get(p + "norm1.weight"), params.get(p + "norm1.bias"), 1e-5)
                .reshape(b, height, width, c);
        if (shift) {
            y = Layers.roll(Layers.roll(y, -(win / 2), 1), -(win / 2), 2);
        }
        NDArray a = attention(Layers.windows(y, win, win), p, h.heads()[layer], shift ? mask(y, height, width) : null);
        y = Layers.unwindows(a, win, win, height, width);
        if (shift) {
            y = Layers.roll(Layers.roll(y, win / 2, 1), win / 2, 2);
        }
        t = t.add(y.reshape(b, height * width, c));
        NDArray m = Layers.layerNorm(t, params.get(p + "norm2.weight"), params.get(p + "norm2.bias"), 1e-5);
        m = Layers.linear(m, params.get(p + "mlp.fc1.weight"), params.get(p + "mlp.fc1.bias"));
        m = Layers.linear(m.getNDArrayInternal().gelu(), params.get(p + "mlp.fc2.weight"), params.get(p
                + "mlp.fc2.bias"));
        return t.add(m);
    }

    /** Window attention with the block's relative position bias and, in shifted blocks, the wrap-around mask. */
    private NDArray attention(NDArray x, String p, int heads, NDArray mask) {
        Shape s = x.getShape();
        long bw = s.get(0);
        long n = s.get(1);
        long c = s.get(2);
        long d = c / heads;
        NDArray qkv = Layers.linear(x, params.get(p + "attn.qkv.weight"), params.get(p + "attn.qkv.bias"))
                .reshape(bw, n, 3, heads, d).transpose(2, 0, 3, 1, 4);
        NDArray q = Ops.mul(qkv.get(0), Math.pow(d, -0.5));
        NDArray attn = q.matMul(qkv.get(1).transpose(0, 1, 3, 2)).add(Ops.scopedLike(params.get(p + "attn.bias")
                .duplicate(), x));
        if (mask != null) {
            long nw = mask.getShape().get(0);
            attn = attn.reshape(bw / nw, nw, heads, n, n).add(mask.reshape(1, nw, 1, n, n)).reshape(bw, heads, n, n);
        }
        NDArray out = attn.softmax(-1).matMul(qkv.get(2)).transpose(0, 2, 1, 3).reshape(bw, n, c);
        return Layers.linear(out, params.get(p + "attn.proj.weight"), params.get(p + "attn.proj.bias"));
    }

    /** calculate_mask: -100 between positions of a shifted window that come from different regions, else 0. */
    private NDArray mask(NDArray like, long height, long width) {
        int win = h.window();
        int shift = win / 2;
        int n = win * win;
        int hh = (int) height;
        int ww = (int) width;
        float[] values = masks.computeIfAbsent(height * 1_000_003L + width, k -> Layers.shiftedWindowMask(hh, ww,
                win, win, shift, shift));
        return Tensors.copyIn(like.getManager(), values, new Shape(values.length / ((long) n * n), n, n));
    }
}
