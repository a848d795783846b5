package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * PLKSR and RealPLKSR (Partial Large Kernel CNNs for efficient SR) with the key names of spandrel's reading of their
 * authors' code: {@code feats.0} (3x3 conv), {@code feats.1..n} (PLKBlock: a channel mixer, a large-kernel conv over
 * the first {@code dim * split_ratio} channels only, an optional element-wise attention {@code attn.f.0}, a 1x1
 * {@code refine}, a residual), the last {@code feats} conv to {@code 3*r*r} channels plus the input repeated r*r
 * times per channel, then pixel shuffle.
 *
 * <ul>
 *   <li>PLKSR ({@code channe_mixer}, upstream's spelling): CCM (3x3, GELU, 1x1), ICCM (1x1, GELU, 3x3) or DCCM (3x3,
 *       GELU, 3x3), read from the kernel sizes. Its SparsePLK and RectSparsePLK ablations, and {@code with_idt},
 *       which no key reveals, are not built.</li>
 *   <li>RealPLKSR ({@code channel_mixer}): DCCM with Mish, then a GroupNorm of 4 groups after {@code refine}, or a
 *       channel LayerNorm before the mixer ({@code layer_norm}). DySample up-sampling ({@code to_img.init_pos}) is
 *       refused: it samples the image at learned offsets.</li>
 * </ul>
 *
 * <p>Geometry: "same"-padded convolutions, so tiles with the receptive radius as context equal the whole image;
 * except that RealPLKSR's GroupNorm normalises by statistics of the whole image, so those models always run on the
 * whole image. Alignment is refused (see {@link #ARCHITECTURE}).
 */
public final class Plksr extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("plksr", "PLKSR / RealPLKSR: feats.0 conv, feats.N "
            + "(channe_mixer or channel_mixer, lk.conv, attn.f.0, refine, norm or layer_norm), last conv to 3*r*r; "
            + "RGB, any dim, block count, kernel and split", Plksr::detect,
            Architecture.refused("plksr", "each block writes its large-kernel conv into a fixed slice of its mixer's "
                    + "channels and RealPLKSR's GroupNorm normalises fixed groups of the trunk, so a channel order "
                    + "must keep both partitions, which the permutation groups do not express"));

    /** Which channel mixer a block has. */
    enum Mixer {
        /** 3x3, GELU, 1x1. */
        CCM,
        /** 1x1, GELU, 3x3. */
        ICCM,
        /** 3x3, GELU (Mish in RealPLKSR), 3x3. */
        DCCM
    }

    /** The hyper-parameters detection reads from keys and shapes. */
    record Hyper(boolean real, int dim, int blocks, int scale, int kernel, int split, Mixer mixer, boolean attention,
            boolean layerNorm) implements java.io.Serializable {
        int receptiveRadius() {
            int mixerRadius = mixer == Mixer.DCCM ? 2 : 1;
            return 1 + blocks * (mixerRadius + kernel / 2 + (attention ? 1 : 0)) + 1;
        }
    }

    private final Hyper h;

    private Plksr(Hyper h, NDManager parent) {
        super(parent);
        this.h = h;
    }

    static NetworkSpec detect(ModelWeights w) {
        boolean plain = w.contains("feats.1.channe_mixer.0.weight");
        boolean real = w.contains("feats.1.channel_mixer.0.weight");
        if (!w.contains("feats.0.weight") || !w.contains("feats.1.refine.weight") || !(plain || real)) {
            return null;
        }
        boolean lk = w.contains("feats.1.lk.conv.weight");
        if (!lk) {
            if (w.contains("feats.1.lk.convs.0.weight") || w.contains("feats.1.lk.mn_conv.weight")) {
                throw new IllegalArgumentException("'" + w.label() + "': a PLKSR with a "
                        + (w.contains("feats.1.lk.mn_conv.weight") ? "RectSparsePLK" : "SparsePLK") + " large-kernel "
                        + "layer (key feats.1.lk." + (w.contains("feats.1.lk.mn_conv.weight") ? "mn_conv" : "convs.0")
                        + ".weight), one of the paper's ablations, whose dilations no key reveals; only PLK (lk.conv) "
                        + "is built in");
            }
            return null;
        }
        if (w.contains("to_img.init_pos")) {
            throw new IllegalArgumentException("'" + w.label() + "': a RealPLKSR with DySample up-sampling (key "
                    + "to_img.init_pos); only pixel-shuffle RealPLKSR models are built in");
        }
        String mixerKey = real ? "channel_mixer" : "channe_mixer";
        int dim = StateDictShapes.require(w, "feats.0.weight", -1, 3, 3, 3)[0];
        int layers = 0;
        for (String n : w.names()) {
            if (n.startsWith("feats.")) {
                String i = n.substring(6, n.indexOf('.', 6) < 0 ? n.length() : n.indexOf('.', 6));
                try {
                    layers = Math.max(layers, Integer.parseInt(i) + 1);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + w.label() + "': key " + n + " is not feats.<index>.*");
                }
            }
        }
        int blocks = layers - (real ? 3 : 2);
        int last = layers - 1;
        int[] m0 = StateDictShapes.require(w, "feats.1." + mixerKey + ".0.weight", 2 * dim, dim, -1, -1);
        int[] m2 = StateDictShapes.require(w, "feats.1." + mixerKey + ".2.weight", dim, 2 * dim, -1, -1);
        Mixer mixer = m0[2] == 3 && m2[2] == 1 ? Mixer.CCM : m0[2] == 1 && m2[2] == 3 ? Mixer.ICCM
                : m0[2] == 3 && m2[2] == 3 ? Mixer.DCCM : null;
        if (mixer == null || (real && mixer != Mixer.DCCM)) {
            throw StateDictShapes.refuse(w, "feats.1." + mixerKey + ".2.weight", "a 3x3/1x1, 1x1/3x3 or 3x3/3x3 "
                    + "channel mixer (RealPLKSR: 3x3/3x3) after feats.1." + mixerKey + ".0 of shape "
                    + java.util.Arrays.toString(m0), m2);
        }
        int[] lkShape = StateDictShapes.require(w, "feats.1.lk.conv.weight", -1, -1, -1, -1);
        int split = lkShape[0];
        int kernel = lkShape[2];
        boolean attention = w.contains("feats.1.attn.f.0.weight");
        boolean layerNorm = real && w.contains("feats.1.layer_norm.weight");
        int out = StateDictShapes.require(w, "feats." + last + ".weight", -1, dim, 3, 3)[0];
        int r = (int) Math.round(Math.sqrt(out / 3.0));
        if (blocks < 1 || r < 1 || r * r * 3 != out) {
            throw StateDictShapes.refuse(w, "feats." + last + ".weight", "3*r*r output channels after " + blocks
                    + " blocks", w.get("feats." + last + ".weight").shape());
        }
        int expected = 4;
        for (int b = 1; b <= blocks; b++) {
            String p = "feats." + b + ".";
            expected += conv(w, p + mixerKey + ".0", 2 * dim, dim, m0[2]);
            expected += conv(w, p + mixerKey + ".2", dim, 2 * dim, m2[2]);
            expected += conv(w, p + "lk.conv", split, split, kernel);
            if (attention) {
                expected += conv(w, p + "attn.f.0", dim, dim, 3);
            }
            expected += conv(w, p + "refine", dim, dim, 1);
            if (real) {
                String norm = layerNorm ? "layer_norm" : "norm";
                StateDictShapes.require(w, p + norm + ".weight", dim);
                StateDictShapes.require(w, p + norm + ".bias", dim);
                expected += 2;
            }
        }
        StateDictShapes.require(w, "feats.0.bias", dim);
        StateDictShapes.require(w, "feats." + last + ".bias", out);
        if (real && !layerNorm && dim % 4 != 0) {
            throw StateDictShapes.refuse(w, "feats.0.weight", "a dim divisible by RealPLKSR's 4 norm groups",
                    w.get("feats.0.weight").shape());
        }
        if (w.tensorCount() != expected || kernel % 2 == 0 || split > dim) {
            throw new IllegalArgumentException("'" + w.label() + "': " + (real ? "RealPLKSR" : "PLKSR") + " keys "
                    + "with " + blocks + " blocks, but " + w.tensorCount() + " tensors where " + expected + " were "
                    + "expected, or a large kernel of " + kernel + " (odd expected) over " + split + " of " + dim
                    + " channels");
        }
        Hyper h = new Hyper(real, dim, blocks, r, kernel, split, mixer, attention, layerNorm);
        int radius = h.receptiveRadius();
        boolean global = real && !layerNorm;
        String name = (real ? "RealPLKSR" : "PLKSR") + "(dim=" + dim + ", n_blocks=" + blocks + ", upscaling_factor="
                + r + ", kernel_size=" + kernel + ", split=" + split + "/" + dim + (real ? "" : ", " + mixer)
                + (attention ? "" : ", use_ea=False") + (layerNorm ? ", layer_norm=True" : "") + ")";
        return new Architecture.BuiltIn(name, new NetworkGeometry(r, 0, radius, 1, global), m -> new Plksr(h, m));
    }

    /** Checks a square convolution with its bias; the number of tensors it accounts for. */
    private static int conv(ModelWeights w, String name, int out, int in, int k) {
        StateDictShapes.require(w, name + ".weight", out, in, k, k);
        StateDictShapes.require(w, name + ".bias", out);
        return 2;
    }

    @Override
    protected NDArray forward(NDArray x) {
        NDArray f = conv(x, "feats.0");
        for (int b = 1; b <= h.blocks(); b++) {
            NDArray next = block(f, "feats." + b + ".");
            release(f);
            f = next;
        }
        NDArray out = conv(f, "feats." + (h.blocks() + (h.real() ? 2 : 1)));
        int rr = h.scale() * h.scale();
        return pixelShuffle(out.add(x.repeat(1, rr)), h.scale());
    }

    private NDArray block(NDArray x, String p) {
        NDArray y = h.layerNorm() ? channelLayerNorm(x, p + "layer_norm") : x;
        String mixer = p + (h.real() ? "channel_mixer" : "channe_mixer");
        y = step(y, conv(y, mixer + ".0"), x);
        y = step(y, h.real() ? Ops.mish(y) : y.getNDArrayInternal().gelu(), x);
        y = step(y, conv(y, mixer + ".2"), x);
        // the large kernel replaces the first `split` channels; the rest pass through
        NDArray headIn = y.get(new NDIndex(":, :{}", h.split()));
        NDArray head = conv(headIn, p + "lk.conv");
        release(headIn);
        if (h.split() != h.dim()) {
            NDArray tail = y.get(new NDIndex(":, {}:", h.split()));
            head = step(head, NDArrays.concat(new NDList(head, tail), 1), x);
            release(tail);
        }
        y = step(y, head, x);
        if (h.attention()) {
            NDArray a = conv(y, p + "attn.f.0");
            NDArray gate = a.getNDArrayInternal().sigmoid();
            release(a);
            y = step(y, y.mul(gate), x);
            release(gate);
        }
        y = step(y, conv(y, p + "refine"), x);
        if (h.real() && !h.layerNorm()) {
            y = step(y, groupNorm(y, 4, p + "norm"), x);
        }
        NDArray out = y.add(x);
        release(y);
        return out;
    }

    /** {@code next}, after freeing {@code previous} (unless it is the block's input, which the caller owns). */
    private NDArray step(NDArray previous, NDArray next, NDArray input) {
        if (previous != input && previous != next) {
            release(previous);
        }
        return next;
    }

    /** spandrel's RealPLKSR LayerNorm: over the channel axis at each pixel, eps 1e-6. */
    private NDArray channelLayerNorm(NDArray x, String name) {
        return Layers.channelLayerNorm(x, params.get(name + ".weight"), params.get(name + ".bias"), 1e-6);
    }

    /** PyTorch's GroupNorm (biased variance, eps 1e-5): statistics over each group's channels and the whole image. */
    private NDArray groupNorm(NDArray x, int groups, String name) {
        Shape s = x.getShape();
        NDArray g = x.reshape(s.get(0), groups, -1);
        NDArray u = g.mean(new int[] {2}, true);
        NDArray d = g.sub(u);
        NDArray v = d.square().mean(new int[] {2}, true);
        NDArray n = d.div(Ops.add(v, 1e-5).sqrt()).reshape(s);
        return n.mul(perChannel(name + ".weight", x)).add(perChannel(name + ".bias", x));
    }

    private NDArray perChannel(String key, NDArray like) {
        return Ops.scopedLike(params.get(key).reshape(1, -1, 1, 1), like);
    }
}
