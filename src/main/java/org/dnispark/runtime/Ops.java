package org.dnispark.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * NDArray operations shared by the inference networks and the trainer ({@code org.dnispark.train}), so that a
 * trained model is computed the same way in both.
 */
public final class Ops {
    private Ops() {
    }

    /** Stride-1 convolution with "same" padding (k / 2), as PyTorch's {@code Conv2d(k, padding=k // 2)}. */
    public static NDArray sameConv(NDArray x, NDArray weight, NDArray bias) {
        long k = weight.getShape().get(2);
        return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(k / 2, k / 2), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * Moves an array derived from long-lived weights (a reshaped view, say) to the manager of {@code x}, the
     * call's scope, so that it is freed with the call instead of accumulating beside the weights.
     */
    public static NDArray scopedLike(NDArray derived, NDArray x) {
        derived.attach(x.getManager());
        return derived;
    }

    /** {@code x * value}, the scalar owned by the engine (see {@link Tensors}): safe while autograd records. */
    public static NDArray mul(NDArray x, double value) {
        return withScalar(x, value, NDArray::mul, "multiplication by a constant");
    }

    /** {@code x + value}, the scalar owned by the engine. */
    public static NDArray add(NDArray x, double value) {
        return withScalar(x, value, NDArray::add, "addition of a constant");
    }

    /** {@code max(x, value)} element-wise, the scalar owned by the engine (ReLU is {@code maximum(x, 0)}). */
    public static NDArray maximum(NDArray x, double value) {
        return withScalar(x, value, NDArray::maximum, "maximum with a constant (ReLU)");
    }

    /** {@code min(x, value)} element-wise, the scalar owned by the engine. */
    public static NDArray minimum(NDArray x, double value) {
        return withScalar(x, value, NDArray::minimum, "minimum with a constant");
    }

    /** {@code op(x, scalar)}; closing the scalar's handle is safe, autograd holds its own engine reference. */
    private static NDArray withScalar(NDArray x, double value, java.util.function.BinaryOperator<NDArray> op,
            String operation) {
        try (NDArray s = Tensors.scalar(x, value)) {
            return FiniteCheck.check(op.apply(x, s), operation);
        }
    }

    /** {@code x} clamped to [lo, hi] (the same values as torch.clamp), with engine-owned bounds. */
    public static NDArray clip(NDArray x, double lo, double hi) {
        return minimum(maximum(x, lo), hi);
    }

    /**
     * Mish, {@code x * tanh(softplus(x))} with the engine's softplus (PyTorch's: beta 1, linear above 20), as
     * {@code torch.nn.Mish}. Not DJL's {@code Activation.mish}, which computes {@code tanh(log2(1 + e^x))} (base 2,
     * not e: up to 0.2% of the output off, found against RealPLKSR's reference) and adds its 1 as a Java-memory
     * scalar; {@code NativeMemoryRuleTest} refuses it.
     */
    public static NDArray mish(NDArray x) {
        return FiniteCheck.check(x.mul(x.getNDArrayInternal().softPlus().tanh()), "mish");
    }

    /** SiLU (swish with beta 1), {@code x * sigmoid(x)}, as {@code torch.nn.SiLU}. */
    public static NDArray silu(NDArray x) {
        return FiniteCheck.check(x.mul(x.getNDArrayInternal().sigmoid()), "silu");
    }

    /** Batch norm over channels with fixed statistics: {@code (x - mean) / sqrt(var + eps) * gamma + beta}. */
    public static NDArray batchNorm(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, float eps) {
        NDArray m = scopedLike(mean.reshape(1, -1, 1, 1), x);
        NDArray v = scopedLike(var.reshape(1, -1, 1, 1), x);
        NDArray g = scopedLike(gamma.reshape(1, -1, 1, 1), x);
        NDArray b = scopedLike(beta.reshape(1, -1, 1, 1), x);
        return FiniteCheck.check(x.sub(m).div(add(v, eps).sqrt()).mul(g).add(b), "batch norm");
    }
}
