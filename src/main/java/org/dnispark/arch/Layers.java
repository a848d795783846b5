package org.dnispark.arch;

import java.util.function.BiFunction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.Ops;

/**
 * The pieces the attention architectures (SwinIR, DAT, OmniSR) and the PLKSR family share, each as PyTorch computes
 * it: layer norms (over the last axis, or over channels at each pixel), linear layers, L2 normalisation, cyclic
 * shifts, window partitions, the reflect padding to a size multiple, and the relative position index, bias gather and
 * shifted-window mask of window attention.
 */
final class Layers {
    private Layers() {
    }

    /** {@code torch.nn.LayerNorm(C)} over the last axis (eps as given; PyTorch's default is 1e-5). */
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        long c = x.getShape().get(x.getShape().dimension() - 1);
        return FiniteCheck.check(LayerNorm.layerNorm(x, new Shape(c), gamma, beta, (float) eps).singletonOrThrow(),
                "layer norm");
    }

    /** {@code torch.nn.Linear}: {@code x W^T + b} over the last axis; {@code bias} may be null. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    /** {@code torch.roll(x, shift, axis)}: elements shifted cyclically by {@code shift} (negative: towards 0). */
    static NDArray roll(NDArray x, long shift, int axis) {
        long n = x.getShape().get(axis);
        long s = ((shift % n) + n) % n;
        if (s == 0) {
            return x;
        }
        String lead = ":, ".repeat(axis);
        NDArray tail = x.get(new NDIndex(lead + "{}:", n - s));
        NDArray head = x.get(new NDIndex(lead + ":{}", n - s));
        return NDArrays.concat(new NDList(tail, head), axis);
    }

    /**
     * {@code F.pad(x, (0, pw, 0, ph), "reflect")} on an NCHW batch with ph, pw the amounts that bring the height and
     * width to multiples of {@code multiple}: rows and columns mirrored about the last one (which is not repeated).
     */
    static NDArray reflectPadToMultiple(NDArray x, long multiple) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long ph = (multiple - h % multiple) % multiple;
        long pw = (multiple - w % multiple) % multiple;
        if (ph >= h || pw >= w) {
            throw new IllegalArgumentException("a " + w + "x" + h + " image is too small to reflect-pad to a multiple "
                    + "of " + multiple + " (reflect padding needs fewer padded pixels than the side has)");
        }
        if (ph > 0) {
            x = NDArrays.concat(new NDList(x, x.get(new NDIndex(":, :, {}:{}", h - 1 - ph, h - 1)).flip(2)), 2);
        }
        if (pw > 0) {
            x = NDArrays.concat(new NDList(x, x.get(new NDIndex(":, :, :, {}:{}", w - 1 - pw, w - 1)).flip(3)), 3);
        }
        return x;
    }

    /** {@code x[:, :, :h, :w]}. */
    static NDArray crop(NDArray x, long h, long w) {
        Shape s = x.getShape();
        return s.get(2) == h && s.get(3) == w ? x : x.get(new NDIndex(":, :, :{}, :{}", h, w));
    }

    /** [B, H, W, C] to [B * H/wh * W/ww, wh * ww, C]: non-overlapping windows, row-major within and between. */
    static NDArray windows(NDArray x, long wh, long ww) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(1);
        long w = s.get(2);
        long c = s.get(3);
        return x.reshape(b, h / wh, wh, w / ww, ww, c).transpose(0, 1, 3, 2, 4, 5).reshape(-1, wh * ww, c);
    }

    /** The inverse of {@link #windows}: back to [B, H, W, C]. */
    static NDArray unwindows(NDArray x, long wh, long ww, long h, long w) {
        long c = x.getShape().get(x.getShape().dimension() - 1);
        long b = x.getShape().get(0) / ((h / wh) * (w / ww));
        return x.reshape(b, h / wh, w / ww, wh, ww, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, h, w, c);
    }

    /**
     * LayerNorm over the channel axis at each pixel of an NCHW batch (biased variance), as PLKSR's and OmniSR's
     * {@code LayerNorm2d} compute it; {@code gamma} and {@code beta} are per channel.
     */
    static NDArray channelLayerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        // libtorch's own layer norm over the last axis of the NHWC view: one fused pass instead of nine element-wise
        // operators (a tenth of RealPLKSR's forward, issue 29); on channels-last activations the view is contiguous,
        // and the result, viewed back as NCHW, is channels-last again. The same statistics as the upstream ops, to
        // float rounding (the architecture fixtures' tolerances).
        NDArray nhwc = x.transpose(0, 2, 3, 1);
        NDArray n = layerNorm(nhwc, gamma, beta, eps);
        return n.transpose(0, 3, 1, 2);
    }

    /**
     * SwinIR's and DAT's {@code resi_connection}: 1conv (one 3x3) or 3conv (3x3 to dim/4, leaky ReLU 0.2, 1x1, leaky
     * ReLU 0.2, 3x3 back to dim), each conv the network's own named one.
     */
    static NDArray residualConv(NDArray x, String name, boolean threeConv, BiFunction<NDArray, String, NDArray> conv) {
        if (!threeConv) {
            return conv.apply(x, name);
        }
        x = Activation.leakyRelu(conv.apply(x, name + ".0"), 0.2f);
        x = Activation.leakyRelu(conv.apply(x, name + ".2"), 0.2f);
        return conv.apply(x, name + ".4");
    }

    /** {@code F.normalize(x, dim=-1)}: x over max(its L2 norm along the last axis, 1e-12). */
    static NDArray l2normalise(NDArray x) {
        return x.div(Ops.maximum(x.square().sum(new int[] {-1}, true).sqrt(), 1e-12));
    }

    /**
     * Swin's relative position index of an {@code hs x ws} window: {@code (dy + hs - 1) * (2ws - 1) + (dx + ws - 1)}
     * for every pair of positions, row-major.
     */
    static long[] relativeIndex(int hs, int ws) {
        int n = hs * ws;
        long[] out = new long[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = (long) (i / ws - j / ws + hs - 1) * (2 * ws - 1) + (i % ws - j % ws + ws - 1);
            }
        }
        return out;
    }

    /**
     * A window attention's relative position bias [heads, N, N] (flat) gathered from its table [positions, heads]
     * by {@link #relativeIndex}.
     */
    static float[] gatherBias(float[] table, long[] index, int heads) {
        int nn = index.length;
        float[] bias = new float[heads * nn];
        for (int head = 0; head < heads; head++) {
            for (int k = 0; k < nn; k++) {
                bias[head * nn + k] = table[(int) index[k] * heads + head];
            }
        }
        return bias;
    }

    /**
     * The attention mask of shifted {@code wh x ww} windows on an {@code h x w} image cyclically shifted by
     * {@code (sh, sw)} ({@code calculate_mask} of Swin and DAT): -100 between positions of a window that come from
     * different regions of the unshifted image, else 0; [windows, N, N], flat.
     */
    static float[] shiftedWindowMask(int h, int w, int wh, int ww, int sh, int sw) {
        int n = wh * ww;
        int[] region = new int[h * w];
        for (int y = 0; y < h; y++) {
            int ry = y < h - wh ? 0 : y < h - sh ? 1 : 2;
            for (int x = 0; x < w; x++) {
                int rx = x < w - ww ? 0 : x < w - sw ? 1 : 2;
                region[y * w + x] = ry * 3 + rx;
            }
        }
        float[] m = new float[(h / wh) * (w / ww) * n * n];
        int wi = 0;
        for (int by = 0; by < h / wh; by++) {
            for (int bx = 0; bx < w / ww; bx++, wi++) {
                for (int i = 0; i < n; i++) {
                    int ri = region[(by * wh + i / ww) * w + bx * ww + i % ww];
                    for (int j = 0; j < n; j++) {
                        int rj = region[(by * wh + j / ww) * w + bx * ww + j % ww];
                        m[(wi * n + i) * n + j] = ri == rj ? 0f : -100f;
                    }
                }
            }
        }
        return m;
    }
}
