package org.dnispark.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.dnispark.runtime.FiniteCheck;

/**
 * The transformer pieces the attention architectures share (SwinIR, DAT, OmniSR), each as PyTorch computes it:
 * layer norm over the last axis, linear layers, cyclic shifts, window partitions and the reflect padding to a size
 * multiple that their forward passes do before anything else.
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
}
