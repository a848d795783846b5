package org.dnispark.arch;

import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * Omni-SR (omni self-attention) with the key names of its authors' code as spandrel reads it: {@code input} (3x3),
 * {@code residual_layer.i} groups (OSAG: {@code block_num} OSA blocks, a 1x1 conv, a residual, then ESA), {@code output}
 * (3x3) plus the first features, {@code up.0} (3x3 to 3*r*r) and a pixel shuffle. Each OSA block is an MBConv with
 * squeeze-excitation, then block attention (windows), a gated conv feed-forward, channel attention within windows, a
 * feed-forward, grid attention (dilated windows), a feed-forward, channel attention across windows and a last
 * feed-forward, each behind its pre-norm and residual, exactly in upstream's order ({@code layer.0..12}).
 *
 * <p><b>Buffers.</b> The relative position bias is an embedding ({@code rel_pos_bias.weight}): learned, interpolated,
 * gathered with Swin's relative position index, which upstream keeps as a non-persistent buffer (not in files).
 *
 * <p>Geometry: the image is zero-padded to a multiple of the window (right and bottom) and the output cropped back, as
 * upstream; squeeze-excitation, channel attention across windows and ESA's pooled branch see the whole image, so
 * Omni-SR always runs on the whole image. Without a position bias the window is not in the file; upstream's default,
 * 8, is used (as spandrel does). Alignment is refused (see {@link #ARCHITECTURE}).
 */
public final class OmniSr extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("omnisr", "OmniSR: input, residual_layer.i ("
            + "residual_layer.j.layer.0..12, esa.conv1..4), output, up.0; RGB", OmniSr::detect,
            Architecture.refused("omnisr", "its attentions split channels into fixed heads and its gated "
                    + "feed-forwards pair channel c with channel c + hidden, ties the permutation groups do not "
                    + "express"));

    /** What detection reads from shapes. */
    record Hyper(int feat, int groups, int blocks, int window, boolean positionBias, int scale)
            implements java.io.Serializable {
    }

    private static final int HEADS = 4;
    private final Hyper h;

    private OmniSr(Hyper h, NDManager parent) {
        super(parent);
        this.h = h;
    }

    static String block(int group, int block) {
        return "residual_layer." + group + ".residual_layer." + block + ".layer.";
    }

    static NetworkSpec detect(ModelWeights w) {
        if (!w.contains("input.weight") || !w.contains("up.0.weight")
                || !w.contains(block(0, 0) + "0.fn.0.weight") || !w.contains("residual_layer.0.esa.conv1.weight")) {
            return null;
        }
        int[] in = StateDictShapes.require(w, "input.weight", -1, -1, 3, 3);
        int feat = in[0];
        if (in[1] != 3 || feat % HEADS != 0) {
            throw StateDictShapes.refuse(w, "input.weight", "3 input channels (RGB) and a feature count divisible by "
                    + HEADS, in);
        }
        boolean bias = w.contains("input.bias");
        boolean pe = w.contains(block(0, 0) + "2.fn.rel_pos_bias.weight");
        int window = 8;
        if (pe) {
            int t = StateDictShapes.require(w, block(0, 0) + "2.fn.rel_pos_bias.weight", -1, HEADS)[0];
            int side = (int) Math.round(Math.sqrt(t));
            window = (side + 1) / 2;
            if (side * side != t || side % 2 == 0) {
                throw StateDictShapes.refuse(w, block(0, 0) + "2.fn.rel_pos_bias.weight", "(2*window-1)^2 rows",
                        w.get(block(0, 0) + "2.fn.rel_pos_bias.weight").shape());
            }
        }
        int groups = 0;
        while (w.contains("residual_layer." + groups + ".esa.conv1.weight")) {
            groups++;
        }
        int blocks = 0;
        while (w.contains(block(0, blocks) + "0.fn.0.weight")) {
            blocks++;
        }
        int count = 0;
        count += conv(w, "input", feat, 3, 3, bias) + conv(w, "output", feat, feat, 3, bias);
        int up = StateDictShapes.require(w, "up.0.weight", -1, feat, 3, 3)[0];
        int r = (int) Math.round(Math.sqrt(up / 3.0));
        if (r < 1 || r * r * 3 != up) {
            throw StateDictShapes.refuse(w, "up.0.weight", "3*r*r output channels", w.get("up.0.weight").shape());
        }
        count += conv(w, "up.0", up, feat, 3, bias);
        int se = feat / 4;
        int esa = Math.max(feat / 4, 16);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < blocks; b++) {
                String p = block(g, b);
                count += conv(w, p + "0.fn.0", feat, feat, 1, true) + depthwise(w, p + "0.fn.2", feat, true)
                        + linear(w, p + "0.fn.4.gate.1", se, feat) + linear(w, p + "0.fn.4.gate.3", feat, se)
                        + conv(w, p + "0.fn.5", feat, feat, 1, true);
                for (int attention : new int[] {2, 8}) {
                    count += norm(w, p + attention + ".norm", feat) + linear(w, p + attention + ".fn.to_qkv", 3 * feat,
                            feat) + linear(w, p + attention + ".fn.to_out.0", feat, feat);
                    if (pe) {
                        StateDictShapes.require(w, p + attention + ".fn.rel_pos_bias.weight",
                                (2 * window - 1) * (2 * window - 1), HEADS);
                        count++;
                    }
                }
                for (int ff : new int[] {4, 6, 10, 12}) {
                    count += norm(w, p + ff + ".norm", feat) + conv(w, p + ff + ".fn.project_in", 2 * feat, feat, 1,
                            false) + depthwise(w, p + ff + ".fn.dwconv", 2 * feat, false)
                            + conv(w, p + ff + ".fn.project_out", feat, feat, 1, false);
                }
                for (int ca : new int[] {5, 11}) {
                    StateDictShapes.require(w, p + ca + ".fn.temperature", HEADS, 1, 1);
                    count += 1 + norm(w, p + ca + ".norm", feat) + conv(w, p + ca + ".fn.qkv", 3 * feat, feat, 1, false)
                            + depthwise(w, p + ca + ".fn.qkv_dwconv", 3 * feat, false)
                            + conv(w, p + ca + ".fn.project_out", feat, feat, 1, false);
                }
            }
            String e = "residual_layer." + g + ".esa.";
            count += conv(w, "residual_layer." + g + ".residual_layer." + blocks, feat, feat, 1, bias)
                    + conv(w, e + "conv1", esa, feat, 1, true) + conv(w, e + "conv_f", esa, esa, 1, true)
                    + conv(w, e + "conv2", esa, esa, 3, true) + conv(w, e + "conv3", esa, esa, 3, true)
                    + conv(w, e + "conv4", feat, esa, 1, true);
        }
        if (count != w.tensorCount()) {
            throw new IllegalArgumentException("'" + w.label() + "': OmniSR keys, but " + w.tensorCount() + " tensors "
                    + "where " + count + " were expected for " + groups + " groups of " + blocks + " blocks");
        }
        Hyper hy = new Hyper(feat, groups, blocks, window, pe, r);
        String name = "OmniSR(num_feat=" + feat + ", res_num=" + groups + ", block_num=" + blocks + ", window_size="
                + window + ", up_scale=" + r + (pe ? "" : ", pe=False") + (bias ? "" : ", bias=False") + ")";
        return new Architecture.BuiltIn(name, new NetworkGeometry(r, 0, 0, 1, true), m -> new OmniSr(hy, m));
    }

    private static int conv(ModelWeights w, String name, int out, int in, int k, boolean bias) {
        StateDictShapes.require(w, name + ".weight", out, in, k, k);
        if (bias) {
            StateDictShapes.require(w, name + ".bias", out);
            return 2;
        }
        return 1;
    }

    private static int depthwise(ModelWeights w, String name, int channels, boolean bias) {
        return conv(w, name, channels, 1, 3, bias);
    }

    private static int linear(ModelWeights w, String name, int out, int in) {
        StateDictShapes.require(w, name + ".weight", out, in);
        return 1;
    }

    private static int norm(ModelWeights w, String name, int dim) {
        StateDictShapes.require(w, name + ".weight", dim);
        StateDictShapes.require(w, name + ".bias", dim);
        return 2;
    }

    /** Each attention's relative position bias [1, heads, N, N], gathered from its embedding once per weight set. */
    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = super.load(weights, into);
        if (!h.positionBias()) {
            return p;
        }
        int n = h.window() * h.window();
        long[] index = Layers.relativeIndex(h.window(), h.window());
        for (int g = 0; g < h.groups(); g++) {
            for (int b = 0; b < h.blocks(); b++) {
                for (int attention : new int[] {2, 8}) {
                    String key = block(g, b) + attention + ".fn.rel_pos_bias";
                    float[] bias = Layers.gatherBias(weights.get(key + ".weight").floatValues(), index, HEADS);
                    p.put(key + ".bias", Tensors.copyIn(into, bias, new Shape(1, HEADS, n, n)));
                }
            }
        }
        return p;
    }

    @Override
    protected NDArray forward(NDArray x) {
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        long win = h.window();
        long ph = (win - height % win) % win;
        long pw = (win - width % win) % win;
        if (ph > 0 || pw > 0) {
            x = x.pad(new Shape(0, pw, 0, ph), 0); // F.pad order: last axis first
        }
        NDArray residual = conv(x, "input");
        NDArray out = residual;
        for (int g = 0; g < h.groups(); g++) {
            out = group(out, g);
        }
        out = conv(out, "output").add(residual);
        out = pixelShuffle(conv(out, "up.0"), h.scale());
        return Layers.crop(out, height * h.scale(), width * h.scale());
    }

    private NDArray group(NDArray x, int g) {
        NDArray y = x;
        for (int b = 0; b < h.blocks(); b++) {
            y = osaBlock(y, block(g, b));
        }
        y = conv(y, "residual_layer." + g + ".residual_layer." + h.blocks()).add(x);
        return esa(y, "residual_layer." + g + ".esa.");
    }

    private NDArray osaBlock(NDArray x, String p) {
        x = mbConv(x, p + "0.fn.");
        x = windowAttention(x, p + "2.", false);
        x = gatedFeedForward(x, p + "4.");
        x = channelAttention(x, p + "5.", false);
        x = gatedFeedForward(x, p + "6.");
        x = windowAttention(x, p + "8.", true);
        x = gatedFeedForward(x, p + "10.");
        x = channelAttention(x, p + "11.", true);
        return gatedFeedForward(x, p + "12.");
    }

    private static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    private NDArray depthwise(NDArray x, String name) {
        return observed(name, Conv2d.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"),
                new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), (int) x.getShape().get(1)).singletonOrThrow());
    }

    /** MBConv (expansion 1): 1x1, GELU, depth-wise 3x3, GELU, squeeze-excitation, 1x1, plus the input. */
    private NDArray mbConv(NDArray x, String p) {
        NDArray y = gelu(depthwise(gelu(conv(x, p + "0")), p + "2"));
        NDArray pooled = y.mean(new int[] {3}).mean(new int[] {2}); // [B, C]
        NDArray gate = Layers.linear(Ops.silu(Layers.linear(pooled, params.get(p + "4.gate.1.weight"), null)),
                params.get(p + "4.gate.3.weight"), null).getNDArrayInternal().sigmoid();
        y = y.mul(gate.expandDims(2).expandDims(3));
        return conv(y, p + "5").add(x);
    }

    /** LayerNorm2d of the OSA blocks: over channels at each pixel, eps 1e-6. */
    private NDArray channelNorm(NDArray x, String name) {
        return Layers.channelLayerNorm(x, params.get(name + ".weight"), params.get(name + ".bias"), 1e-6);
    }

    /** Pre-norm gated conv feed-forward: 1x1 to 2C, depth-wise 3x3, GELU(first half) * second half, 1x1, residual. */
    private NDArray gatedFeedForward(NDArray x, String p) {
        NDArray y = depthwise(conv(channelNorm(x, p + "norm"), p + "fn.project_in"), p + "fn.dwconv");
        long half = y.getShape().get(1) / 2;
        y = gelu(y.get(new NDIndex(":, :{}", half))).mul(y.get(new NDIndex(":, {}:", half)));
        return conv(y, p + "fn.project_out").add(x);
    }

    /**
     * Pre-norm multi-head attention within windows (block: w x w contiguous pixels) or across the grid (dilated: the
     * pixels w apart), with the relative position bias when the model has one, plus the residual.
     */
    private NDArray windowAttention(NDArray x, String p, boolean grid) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long height = s.get(2);
        long width = s.get(3);
        long win = h.window();
        long nx = height / win;
        long ny = width / win;
        NDArray nhwc = x.transpose(0, 2, 3, 1);
        NDArray t = grid ? nhwc.reshape(b, win, nx, win, ny, c).transpose(0, 2, 4, 1, 3, 5).reshape(-1, win * win, c)
                : Layers.windows(nhwc, win, win);
        NDArray n = Layers.layerNorm(t, params.get(p + "norm.weight"), params.get(p + "norm.bias"), 1e-5);
        NDArray qkv = Layers.linear(n, params.get(p + "fn.to_qkv.weight"), null);
        long d = c / HEADS;
        long tokens = win * win;
        NDArray q = heads(qkv.get(new NDIndex("..., :{}", c)), d);
        NDArray k = heads(qkv.get(new NDIndex("..., {}:{}", c, 2 * c)), d);
        NDArray v = heads(qkv.get(new NDIndex("..., {}:", 2 * c)), d);
        NDArray sim = Ops.mul(q, Math.pow(d, -0.5)).matMul(k.transpose(0, 1, 3, 2));
        if (h.positionBias()) {
            sim = sim.add(Ops.scopedLike(params.get(p + "fn.rel_pos_bias.bias").duplicate(), x));
        }
        NDArray out = sim.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(-1, tokens, c);
        out = Layers.linear(out, params.get(p + "fn.to_out.0.weight"), null).add(t);
        NDArray back = grid ? out.reshape(b, nx, ny, win, win, c).transpose(0, 3, 1, 4, 2, 5).reshape(b, height, width,
                c) : Layers.unwindows(out, win, win, height, width);
        return back.transpose(0, 3, 1, 2);
    }

    /** [B', N, heads * d] to [B', heads, N, d]. */
    private static NDArray heads(NDArray x, long d) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), HEADS, d).transpose(0, 2, 1, 3);
    }

    /**
     * Pre-norm transposed (channel) attention, per window (the d x d attention of each window's pixels) or across
     * windows (of each window position's pixels over all windows), plus the residual.
     */
    private NDArray channelAttention(NDArray x, String p, boolean grid) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long height = s.get(2);
        long width = s.get(3);
        long win = h.window();
        long hb = height / win;
        long wb = width / win;
        long d = c / HEADS;
        NDArray qkv = depthwise(conv(channelNorm(x, p + "norm"), p + "fn.qkv"), p + "fn.qkv_dwconv");
        NDArray[] parts = new NDArray[3];
        for (int i = 0; i < 3; i++) {
            NDArray part = qkv.get(new NDIndex(":, {}:{}", i * c, (i + 1) * c)).reshape(b, HEADS, d, hb, win, wb, win);
            parts[i] = grid ? part.transpose(0, 4, 6, 1, 2, 3, 5).reshape(b, win * win, HEADS, d, hb * wb)
                    : part.transpose(0, 3, 5, 1, 2, 4, 6).reshape(b, hb * wb, HEADS, d, win * win);
        }
        NDArray q = Layers.l2normalise(parts[0]);
        NDArray k = Layers.l2normalise(parts[1]);
        NDArray attn = q.matMul(k.transpose(0, 1, 2, 4, 3)).mul(Ops.scopedLike(params.get(p + "fn.temperature")
                .duplicate(), x)).softmax(-1);
        NDArray out = attn.matMul(parts[2]);
        NDArray img = grid ? out.reshape(b, win, win, HEADS, d, hb, wb).transpose(0, 3, 4, 5, 1, 6, 2)
                : out.reshape(b, hb, wb, HEADS, d, win, win).transpose(0, 3, 4, 1, 5, 2, 6);
        return conv(img.reshape(b, c, height, width), p + "fn.project_out").add(x);
    }

    /** ESA: a strided, max-pooled, bilinearly re-expanded branch that gates the features. */
    private NDArray esa(NDArray x, String p) {
        NDArray c1a = conv(x, p + "conv1");
        NDArray c1 = observed(p + "conv2", Conv2d.conv2d(c1a, params.get(p + "conv2.weight"), params.get(p
                + "conv2.bias"), new Shape(2, 2), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow());
        NDArray pooled = Pool.maxPool2d(c1, new Shape(7, 7), new Shape(3, 3), new Shape(0, 0), false);
        NDArray c3 = conv(pooled, p + "conv3").getNDArrayInternal().interpolation(new long[] {x.getShape().get(2),
            x.getShape().get(3)}, 1, false);
        NDArray c4 = conv(c3.add(conv(c1a, p + "conv_f")), p + "conv4");
        return x.mul(c4.getNDArrayInternal().sigmoid());
    }
}
