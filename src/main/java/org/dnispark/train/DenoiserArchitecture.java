package org.dnispark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;

import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.Ops;

/**
 * A trainable greyscale denoiser: its parameters (names, shapes, initialisation) and its forward pass in training
 * or evaluation mode. The names are those the inference side recognises ({@code conv1..3} for the SRCNN-style
 * network, KAIR's {@code model.N} for DnCNN), so a trained model runs in every job unchanged.
 *
 * <ul>
 *   <li>SRCNN-style: {@code conv1} k1 x k1 (f1 filters) + ReLU, {@code conv2} k2 x k2 (f2) + ReLU, {@code conv3}
 *       k3 x k3 to one channel; "same" padding; the output is the image (no residual), as in the paper.</li>
 *   <li>DnCNN: conv 3x3 + ReLU, (depth - 2) x (conv 3x3 + BatchNorm + ReLU), conv 3x3; predicts the noise and
 *       returns input - noise. Batch norm uses KAIR's eps 1e-4 and PyTorch's momentum 0.1.</li>
 * </ul>
 */
public final class DenoiserArchitecture implements Serializable {
    private static final long serialVersionUID = 1L;
    static final float BN_EPS = 1e-4f;
    static final float BN_MOMENTUM = 0.1f;

    /** The two kinds the paper trains. */
    public enum Kind { SRCNN, DNCNN }

    /** How a tensor starts: He-normal weights, zeros, ones, or an integer counter. */
    enum Init { HE_NORMAL, SMALL_NORMAL, ZEROS, ONES, COUNTER }

    /** One tensor of the model. {@code trainable} ones get gradients; the others are batch-norm buffers. */
    record Param(String name, long[] shape, Init init, boolean trainable) implements Serializable {
    }

    private final Kind kind;
    private final int[] kernels;
    private final int[] features;
    private final int depth;
    private final boolean smallInit;

    private DenoiserArchitecture(Kind kind, int[] kernels, int[] features, int depth, boolean smallInit) {
        this.kind = kind;
        this.kernels = kernels;
        this.features = features;
        this.depth = depth;
        this.smallInit = smallInit;
    }

    /**
     * SRCNN-style: kernel sizes k1, k2, k3 (odd) and filter counts f1, f2. {@code smallInit}: conv1 and conv3 start
     * from SRCNN's N(0, 0.001^2) instead of He-normal (conv1) and N(0, 0.001^2) (conv3).
     */
    public static DenoiserArchitecture srcnn(int k1, int f1, int k2, int f2, int k3, boolean smallInit) {
        for (int k : new int[] {k1, k2, k3}) {
            if (k < 1 || k % 2 == 0) {
                throw new IllegalArgumentException("SRCNN-style kernel size " + k + ": expected an odd number >= 1");
            }
        }
        if (f1 < 1 || f2 < 1) {
            throw new IllegalArgumentException("SRCNN-style filters " + f1 + ", " + f2 + ": expected >= 1");
        }
        return new DenoiserArchitecture(Kind.SRCNN, new int[] {k1, k2, k3}, new int[] {f1, f2}, 3, smallInit);
    }

    /** DnCNN with batch norm: {@code depth} conv layers (>= 3) of {@code features} filters. */
    public static DenoiserArchitecture dncnn(int depth, int features) {
        if (depth < 3 || features < 1) {
            throw new IllegalArgumentException("DnCNN depth " + depth + " and features " + features
                    + ": expected depth >= 3 and features >= 1");
        }
        return new DenoiserArchitecture(Kind.DNCNN, new int[] {3}, new int[] {features}, depth, false);
    }

    public Kind kind() {
        return kind;
    }

    /** Human-readable description, the same words as the inference side's architecture detection. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String describe() {
        if (kind == Kind.SRCNN) {
            return "SRCNN-style(conv1 " + kernels[0] + "x" + kernels[0] + "x" + features[0] + ", conv2 " + kernels[1]
                    + "x" + kernels[1] + "x" + features[1] + ", conv3 " + kernels[2] + "x" + kernels[2] + ", grey, "
                    + (smallInit ? "SRCNN init" : "He init") + ")";
        }
        return "DnCNN(grey, depth=" + depth + ", features=" + features[0] + ", batch norm)";
    }

    /** The name of the first layer's weight, whose filters the paper draws. */
    public String firstLayer() {
        return kind == Kind.SRCNN ? "conv1.weight" : "model.0.weight";
    }

    /** Every tensor, in state-dict order. */
    List<Param> parameters() {
        List<Param> p = new ArrayList<>();
        if (kind == Kind.SRCNN) {
            conv(p, "conv1", 1, features[0], kernels[0], smallInit ? Init.SMALL_NORMAL : Init.HE_NORMAL);
            conv(p, "conv2", features[0], features[1], kernels[1], Init.HE_NORMAL);
            // SRCNN starts its reconstruction layer small (std 1e-3) so early outputs stay near zero
            conv(p, "conv3", features[1], 1, kernels[2], Init.SMALL_NORMAL);
            return p;
        }
        int f = features[0];
        conv(p, "model.0", 1, f, 3, Init.HE_NORMAL);
        int index = 2;
        for (int i = 0; i < depth - 2; i++) {
            conv(p, "model." + index, f, f, 3, Init.HE_NORMAL);
            String bn = "model." + (index + 1);
            p.add(new Param(bn + ".weight", new long[] {f}, Init.ONES, true));
            p.add(new Param(bn + ".bias", new long[] {f}, Init.ZEROS, true));
            p.add(new Param(bn + ".running_mean", new long[] {f}, Init.ZEROS, false));
            p.add(new Param(bn + ".running_var", new long[] {f}, Init.ONES, false));
            p.add(new Param(bn + ".num_batches_tracked", new long[] {}, Init.COUNTER, false));
            index += 3;
        }
        // the noise estimate starts near zero, so the untrained network returns its input rather than noise
        conv(p, "model." + index, f, 1, 3, Init.SMALL_NORMAL);
        return p;
    }

    private static void conv(List<Param> p, String name, int in, int out, int k, Init init) {
        p.add(new Param(name + ".weight", new long[] {out, in, k, k}, init, true));
        p.add(new Param(name + ".bias", new long[] {out}, Init.ZEROS, true));
    }

    /**
     * The denoised batch [N, 1, H, W] for a noisy one [N, 1, H, W]. In training mode batch norm uses the batch's
     * statistics and updates the running ones in {@code p} (replacing those arrays); in evaluation mode it uses the
     * running statistics.
     */
    NDArray forward(Map<String, NDArray> p, NDArray x, boolean training) {
        if (kind == Kind.SRCNN) {
            NDArray h = Ops.maximum(conv(p, x, "conv1"), 0);
            h = Ops.maximum(conv(p, h, "conv2"), 0);
            return conv(p, h, "conv3");
        }
        NDArray h = Ops.maximum(conv(p, x, "model.0"), 0);
        int index = 2;
        for (int i = 0; i < depth - 2; i++) {
            h = Ops.maximum(batchNorm(p, conv(p, h, "model." + index), "model." + (index + 1), training), 0);
            index += 3;
        }
        return FiniteCheck.check(x.sub(conv(p, h, "model." + index)), "residual subtraction");
    }

    private static NDArray conv(Map<String, NDArray> p, NDArray x, String name) {
        return FiniteCheck.check(Ops.sameConv(x, p.get(name + ".weight"), p.get(name + ".bias")), name,
                "convolution");
    }

    /** Mean over batch, height and width, kept as [1, C, 1, 1] (DJL's PyTorch engine reduces one axis at a time). */
    private static NDArray channelMean(NDArray x) {
        return x.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
    }

    private static NDArray batchNorm(Map<String, NDArray> p, NDArray x, String bn, boolean training) {
        NDArray gamma = p.get(bn + ".weight");
        NDArray beta = p.get(bn + ".bias");
        if (!training) {
            return Ops.batchNorm(x, p.get(bn + ".running_mean"), p.get(bn + ".running_var"), gamma, beta, BN_EPS);
        }
        NDArray mean = channelMean(x);
        NDArray centred = x.sub(mean);
        NDArray var = channelMean(centred.square());
        // running statistics as PyTorch keeps them: unbiased variance, momentum 0.1, outside the graph
        long n = x.getShape().get(0) * x.getShape().get(2) * x.getShape().get(3);
        NDArray batchMean = mean.stopGradient().reshape(-1);
        NDArray batchVar = Ops.mul(var.stopGradient().reshape(-1), (double) n / Math.max(1, n - 1));
        NDArray runMean = p.get(bn + ".running_mean");
        NDArray runVar = p.get(bn + ".running_var");
        // the new buffers are scope-owned; the trainer keeps them and frees the old ones
        p.put(bn + ".running_mean", Ops.mul(batchMean, BN_MOMENTUM).add(Ops.scopedLike(Ops.mul(runMean, 1 - BN_MOMENTUM), x)));
        p.put(bn + ".running_var", Ops.mul(batchVar, BN_MOMENTUM).add(Ops.scopedLike(Ops.mul(runVar, 1 - BN_MOMENTUM), x)));
        return FiniteCheck.check(centred.div(Ops.add(var, BN_EPS).sqrt()).mul(Ops.scopedLike(gamma.reshape(1, -1, 1, 1), x))
                .add(Ops.scopedLike(beta.reshape(1, -1, 1, 1), x)), bn, "batch norm (training)");
    }
}
