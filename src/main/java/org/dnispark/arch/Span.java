package org.dnispark.arch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

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
 * SPAN (Swift Parameter-free Attention Network, NTIRE 2024 efficient SR winner) with the key names of its authors'
 * code as spandrel reads it: {@code conv_1}, six {@code block_N} (SPAB: three Conv3XC {@code c1_r..c3_r}, SiLU
 * between them, a parameter-free attention {@code (out3 + x) * (sigmoid(out3) - 0.5)}), {@code conv_2},
 * {@code conv_cat} (1x1 over the concatenation of the first features, block 6 after conv_2, block 1 and block 6's
 * first conv after its SiLU) and {@code upsampler.0} (3x3 to {@code 3*r*r}, pixel shuffle). The input is normalised as
 * {@code (x - mean) * 255} unless the state dict holds the {@code no_norm} buffer; the output is not.
 *
 * <p><b>Re-parameterisation.</b> Each Conv3XC is trained as a 1x1, 3x3, 1x1 chain plus a 1x1 skip ({@code sk}) and
 * runs as one 3x3 {@code eval_conv}, which upstream rebuilds from the chain on every forward pass: the file's
 * {@code eval_conv} tensors are never read. This network does the same once per weight set (in float32 on the engine,
 * as upstream). Interpolation therefore mixes the chain's tensors, and the fused convolution of a mix is a product of
 * mixed tensors, not the mix of the fused convolutions: that is what upstream computes for an interpolated file.
 *
 * <p>Geometry: "same"-padded 3x3 convolutions only, 21 of them in sequence at the input's resolution, so tiles with
 * 21 pixels of context equal the whole image. Alignment is refused (see {@link #ARCHITECTURE}).
 */
public final class Span extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("span", "SPAN: conv_1.sk, block_1..6.c{1,2,3}_r "
            + "(sk, conv.0-2, eval_conv), conv_cat, conv_2, upsampler.0; RGB, any feature count and scale",
            Span::detect, Architecture.refused("span", "its convolutions are re-parameterised (each runs as a 3x3 "
                    + "rebuilt from a 1x1-3x3-1x1 chain and a 1x1 skip), so a hidden channel is a product of three "
                    + "tensors' orders that activation matching and renormalisation cannot observe; interpolate "
                    + "without alignment (a model and its fine-tuned copy need none)"));

    private static final float[] RGB_MEAN = {0.4488f, 0.4371f, 0.4040f};
    private static final double IMG_RANGE = 255.0;
    /** Every Conv3XC, in the order the network runs them. */
    static final List<String> CONVS;

    static {
        List<String> c = new java.util.ArrayList<>(List.of("conv_1"));
        for (int b = 1; b <= 6; b++) {
            for (int r = 1; r <= 3; r++) {
                c.add("block_" + b + ".c" + r + "_r");
            }
        }
        c.add("conv_2");
        CONVS = List.copyOf(c);
    }

    private final int scale;
    private final boolean norm;
    /** The fused convolutions of the weight sets given so far (a sweep's coefficients), up to 64 MiB. */
    private final DerivedWeights fused = new DerivedWeights(64L << 20);

    private Span(int scale, boolean norm, NDManager parent) {
        super(parent);
        this.scale = scale;
        this.norm = norm;
    }

    /** The spec when {@code w} has SPAN's keys (spandrel's test); shapes that contradict them are refused by key. */
    static NetworkSpec detect(ModelWeights w) {
        for (String k : List.of("conv_1.sk.weight", "block_1.c1_r.sk.weight", "block_1.c1_r.eval_conv.weight",
                "block_1.c3_r.eval_conv.weight", "conv_cat.weight", "conv_2.sk.weight", "conv_2.eval_conv.weight",
                "upsampler.0.weight")) {
            if (!w.contains(k)) {
                return null;
            }
        }
        String file = w.label();
        int[] first = StateDictShapes.require(w, "conv_1.sk.weight", -1, -1, 1, 1);
        int feat = first[0];
        if (first[1] != 3) {
            throw StateDictShapes.refuse(w, "conv_1.sk.weight", "3 input channels (RGB; SPAN's mean normalisation is "
                    + "per RGB channel)", first);
        }
        int expected = 0;
        for (String c : CONVS) {
            int in = c.equals("conv_1") ? 3 : feat;
            int m1 = StateDictShapes.require(w, c + ".conv.0.weight", -1, in, 1, 1)[0];
            int m2 = StateDictShapes.require(w, c + ".conv.1.weight", -1, m1, 3, 3)[0];
            StateDictShapes.require(w, c + ".conv.2.weight", feat, m2, 1, 1);
            StateDictShapes.require(w, c + ".sk.weight", feat, in, 1, 1);
            StateDictShapes.require(w, c + ".eval_conv.weight", feat, in, 3, 3);
            for (String part : List.of("sk", "conv.0", "conv.1", "conv.2", "eval_conv")) {
                StateDictShapes.require(w, c + "." + part + ".bias",
                        w.get(c + "." + part + ".weight").shape()[0]);
            }
            expected += 10;
        }
        StateDictShapes.require(w, "conv_cat.weight", feat, 4 * feat, 1, 1);
        StateDictShapes.require(w, "conv_cat.bias", feat);
        int up = StateDictShapes.require(w, "upsampler.0.weight", -1, feat, 3, 3)[0];
        StateDictShapes.require(w, "upsampler.0.bias", up);
        int r = (int) Math.round(Math.sqrt(up / 3.0));
        if (r < 1 || r * r * 3 != up) {
            throw StateDictShapes.refuse(w, "upsampler.0.weight", "3*r*r output channels (RGB, pixel shuffle by r)",
                    w.get("upsampler.0.weight").shape());
        }
        boolean norm = !w.contains("no_norm");
        expected += 4 + (norm ? 0 : 1);
        if (w.tensorCount() != expected) {
            List<String> extra = new java.util.ArrayList<>(w.names());
            extra.removeIf(n -> n.equals("no_norm") || n.startsWith("conv_cat.") || n.startsWith("upsampler.0.")
                    || CONVS.stream().anyMatch(c -> n.startsWith(c + ".")));
            throw new IllegalArgumentException("'" + file + "': SPAN keys, but " + w.tensorCount() + " tensors where "
                    + expected + " were expected; not part of SPAN: " + extra.subList(0, Math.min(5, extra.size())));
        }
        return new Architecture.BuiltIn("SPAN(feature_channels=" + feat + ", upscale=" + r + (norm ? "" : ", norm=False")
                + ")", NetworkGeometry.padded(r, 21, 1), m -> new Span(r, norm, m));
    }

    /**
     * Each Conv3XC fused into its 3x3 {@code eval_conv}, as upstream's {@code update_params} does: once per weight
     * set this network is given (kept, see {@link DerivedWeights}), the engine's float32 result copied out and back in
     * bit for bit.
     */
    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = new HashMap<>();
        fused.of(weights, w -> fuseAll(w, into)).forEach((name, t) -> p.put(name, array(into, t)));
        for (String k : List.of("conv_cat.weight", "conv_cat.bias", "upsampler.0.weight", "upsampler.0.bias")) {
            p.put(k, array(into, weights.get(k)));
        }
        p.put("mean", Tensors.copyIn(into, RGB_MEAN, new Shape(1, 3, 1, 1)));
        return p;
    }

    /** Every Conv3XC's fused weight and bias, by the names the forward pass reads. */
    private static Map<String, NamedTensor> fuseAll(ModelWeights weights, NDManager engine) {
        Map<String, NamedTensor> out = new HashMap<>();
        try (NDManager scope = engine.newSubManager()) {
            for (String c : CONVS) {
                NDArray[] f = fuse(weights, c, scope);
                out.put(c + ".weight", copyOut(c + ".weight", f[0]));
                out.put(c + ".bias", copyOut(c + ".bias", f[1]));
            }
        }
        return out;
    }

    private static NamedTensor copyOut(String name, NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return NamedTensor.ofFloats(name, shape, DType.FLOAT32, a.toFloatArray());
    }

    /**
     * The 3x3 convolution equal to {@code conv.2(conv.1(conv.0(x))) + sk(x)} (the chain's 3x3 reading a zero-padded
     * input, as eval_conv does), computed by the engine in float32 as upstream computes it: weight
     * {@code W[o,i] = sum w3[o,b] w2[b,a] w1[a,i] + sk[o,i] at the centre}, bias
     * {@code sum w3[o,b] (b2[b] + sum w2[b,a,:,:] b1[a]) + b3[o] + sk_b[o]}. Returns the weight and bias in {@code m}.
     */
    static NDArray[] fuse(ModelWeights w, String c, NDManager m) {
        int[] s1 = w.get(c + ".conv.0.weight").shape();
        int[] s2 = w.get(c + ".conv.1.weight").shape();
        int[] s3 = w.get(c + ".conv.2.weight").shape();
        long in = s1[1];
        long m1 = s2[1];
        long m2 = s2[0];
        long out = s3[0];
        NDArray w1 = array(m, w.get(c + ".conv.0.weight")).reshape(m1, in);
        NDArray b1 = array(m, w.get(c + ".conv.0.bias")).reshape(m1, 1);
        NDArray w2 = array(m, w.get(c + ".conv.1.weight"));
        NDArray b2 = array(m, w.get(c + ".conv.1.bias")).reshape(m2, 1);
        NDArray w3 = array(m, w.get(c + ".conv.2.weight")).reshape(out, m2);
        NDArray b3 = array(m, w.get(c + ".conv.2.bias")).reshape(out, 1);
        NDArray sk = array(m, w.get(c + ".sk.weight")).reshape(out, in);
        NDArray skb = array(m, w.get(c + ".sk.bias")).reshape(out, 1);
        // the first 1x1 folded into the 3x3: [m2, 3, 3, m1] x [m1, in] -> [m2, in, 3, 3]
        NDArray v = w2.transpose(0, 2, 3, 1).reshape(m2 * 9, m1).matMul(w1).reshape(m2, 3, 3, in)
                .transpose(0, 3, 1, 2);
        NDArray weight = w3.matMul(v.reshape(m2, in * 9)).reshape(out, in, 3, 3);
        NDArray centre = Tensors.copyIn(m, centreTap(), new Shape(1, 1, 3, 3));
        weight = weight.add(sk.reshape(out, in, 1, 1).mul(centre));
        NDArray taps = Tensors.copyIn(m, tapSums(w.get(c + ".conv.1.weight")), new Shape(m2, m1));
        NDArray mid = taps.matMul(b1).add(b2); // [m2, 1]
        NDArray bias = w3.matMul(mid).add(b3).add(skb).reshape(out);
        return new NDArray[] {weight, bias};
    }

    /**
     * The sum of each 3x3 kernel's nine taps, {@code [out, in]}: over the columns of each row, then over the rows,
     * each left to right, in float, the same additions as the engine's {@code sum(3).sum(2)} made (so the same bits),
     * without two reductions over tiny axes, which took about half of a fusion's time (issue 29).
     */
    static float[] tapSums(NamedTensor kernel) {
        float[] k = kernel.floatValues();
        float[] out = new float[k.length / 9];
        for (int i = 0, at = 0; i < out.length; i++, at += 9) {
            float row0 = k[at] + k[at + 1] + k[at + 2];
            float row1 = k[at + 3] + k[at + 4] + k[at + 5];
            float row2 = k[at + 6] + k[at + 7] + k[at + 8];
            out[i] = row0 + row1 + row2;
        }
        return out;
    }

    private static float[] centreTap() {
        float[] k = new float[9];
        k[4] = 1;
        return k;
    }

    @Override
    protected NDArray forward(NDArray x) {
        if (norm) {
            x = Ops.mul(x.sub(Ops.scopedLike(params.get("mean").duplicate(), x)), IMG_RANGE);
        }
        NDArray feature = conv(x, "conv_1");
        NDArray[] b = block(feature, 1);
        release(b[1]);
        NDArray b1 = b[0];
        for (int i = 2; i <= 5; i++) {
            NDArray previous = b[0];
            b = block(previous, i);
            release(b[1]);
            if (previous != b1) {
                release(previous);
            }
        }
        NDArray[] b6 = block(b[0], 6);
        if (b[0] != b1) {
            release(b[0]);
        }
        NDArray out6 = conv(b6[0], "conv_2");
        release(b6[0]);
        NDArray joined = NDArrays.concat(new NDList(feature, out6, b1, b6[1]), 1);
        release(feature, out6, b1, b6[1]);
        NDArray cat = conv(joined, "conv_cat");
        release(joined);
        NDArray up = conv(cat, "upsampler.0");
        release(cat);
        return pixelShuffle(up, scale);
    }

    /**
     * SPAB: its output and its first convolution's output after SiLU (which block 6 hands to conv_cat: upstream's
     * SiLU is in place, so the tensor it returns as {@code out1} has been activated).
     */
    NDArray[] block(NDArray x, int i) {
        String p = "block_" + i + ".";
        NDArray t1 = conv(x, p + "c1_r");
        NDArray out1 = Ops.silu(t1);
        release(t1);
        NDArray t2 = conv(out1, p + "c2_r");
        NDArray out2 = Ops.silu(t2);
        release(t2);
        NDArray out3 = conv(out2, p + "c3_r");
        release(out2);
        NDArray sigmoid = out3.getNDArrayInternal().sigmoid();
        NDArray attention = Ops.add(sigmoid, -0.5);
        release(sigmoid);
        NDArray sum = out3.add(x);
        release(out3);
        NDArray out = sum.mul(attention);
        release(sum, attention);
        return new NDArray[] {out, out1};
    }
}
