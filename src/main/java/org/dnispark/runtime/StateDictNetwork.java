package org.dnispark.runtime;

import java.util.HashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * Base of the networks that run in-process (ncnn graphs and the built-in architectures): their weights as NDArrays
 * by name, swapped per coefficient (the old arrays are freed), plus the operations they share.
 */
public abstract class StateDictNetwork implements ImageNetwork {
    protected final NDManager manager;
    private NDManager weightManager;
    protected Map<String, NDArray> params = Map.of();
    /** Where convolution outputs are recorded, or null (inference). */
    private ActivationStatistics probe;
    /** Whether autograd may need every intermediate (training): then nothing is released early. */
    private boolean keepIntermediates;
    /**
     * Whether inference's input is laid out channels-last: the default, measured faster or level for every built-in
     * architecture and the ncnn graphs ({@code jobs/bench-architectures.sh}'s NCHW column); training builds its own
     * inputs and is unaffected.
     */
    private boolean channelsLast = true;

    protected StateDictNetwork(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    @Override
    public void setWeights(ModelWeights weights) {
        NDManager next = manager.newSubManager();
        Map<String, NDArray> p;
        try {
            p = load(weights, next);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        if (weightManager != null) {
            weightManager.close();
        }
        weightManager = next;
        params = p;
    }

    /**
     * The arrays the forward pass reads, created in {@code into}. By default every floating tensor under its own
     * name; integer buffers (num_batches_tracked) play no part in inference.
     */
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = new HashMap<>();
        for (NamedTensor t : weights.tensors()) {
            if (t.dtype().isFloating()) {
                p.put(t.name(), array(into, t));
            }
        }
        return p;
    }

    @Override
    public void channelsLast(boolean on) {
        this.channelsLast = on;
    }

    /**
     * Inference's input: {@code values} (NCHW) copied into the engine in {@code scope}, laid out channels-last when
     * that is this network's order. Values and shape are the same either way.
     */
    protected NDArray input(NDManager scope, float[] values, Shape shape) {
        NDArray x = Tensors.copyIn(scope, values, shape);
        if (!channelsLast || shape.dimension() != 4) {
            return x;
        }
        NDArray cl = Tensors.channelsLast(x);
        x.close();
        return cl;
    }

    /** Whether {@link #setWeights} has been called. */
    protected boolean hasWeights() {
        return weightManager != null;
    }

    protected static NDArray array(NDManager m, NamedTensor t) {
        int[] s = t.shape();
        long[] dims = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            dims[i] = s[i];
        }
        return Tensors.copyIn(m, t.floatValues(), new Shape(dims));
    }

    @Override
    public void probe(ActivationStatistics stats) {
        this.probe = stats;
    }

    /** Training: autograd reads the intermediates in its backward pass, so {@link #release} keeps them. */
    void keepIntermediates(boolean keep) {
        this.keepIntermediates = keep;
    }

    /**
     * Frees intermediates a forward pass no longer needs, at once instead of when the pass's scope closes, so that
     * memory is reused while it is warm (issue 29: a pass otherwise holds all of its intermediates at its end). Only in
     * inference: training keeps them for autograd, and a probe may still hold them.
     */
    protected void release(NDArray... arrays) {
        if (keepIntermediates || probe != null) {
            return;
        }
        for (NDArray a : arrays) {
            a.close();
        }
    }

    /**
     * PReLU, {@code max(x, 0) + slope * min(x, 0)}, {@code slope} shaped to broadcast over {@code x}. In inference,
     * when every slope is at most 1 ({@link #slopesAtMostOne}, found when the weights are loaded), it is computed as
     * {@code max(x, slope * x)}: for such slopes {@code slope * x <= x} exactly when {@code x >= 0}, so every value
     * is the same product or the same {@code x} (only a zero's sign may differ, which no later sum can see), in two
     * operators instead of four: a tenth of SRVGGNetCompact's forward (issue 29). Training keeps the four, since
     * its slopes move.
     */
    protected NDArray prelu(NDArray x, NDArray slope, boolean slopesAtMostOne) {
        if (slopesAtMostOne && !keepIntermediates) {
            NDArray scaled = x.mul(slope);
            NDArray out = FiniteCheck.check(x.maximum(scaled), "PReLU");
            release(scaled);
            return out;
        }
        NDArray positive = Ops.maximum(x, 0);
        NDArray negative = Ops.minimum(x, 0);
        NDArray scaled = negative.mul(slope);
        NDArray out = FiniteCheck.check(positive.add(scaled), "PReLU");
        release(positive, negative, scaled);
        return out;
    }

    /** Whether every slope is at most 1 (NaN is not): the condition of {@link #prelu}'s two-operator form. */
    protected static boolean slopesAtMostOne(NamedTensor slopes) {
        for (float a : slopes.floatValues()) {
            if (!(a <= 1f)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Inference on a batch of NCHW images: the input laid out by {@link #input}, {@link #forward(NDArray)}, and the
     * output read back by {@link #result}, every intermediate freed with the call's scope. The networks whose pass
     * is not {@link #forward(NDArray)} (the ncnn interpreter, and those that run greyscale or add a bilinear base on
     * the host) override it.
     */
    @Override
    public float[] forward(float[] input, int batch, int channels, int height, int width, int[] outShape) {
        try (NDManager scope = manager.newSubManager()) {
            return result(forward(input(scope, input, new Shape(batch, channels, height, width))), outShape);
        }
    }

    /**
     * The forward pass on an NDArray batch, for the networks that {@link TrainableNetwork} can train: it reads the
     * arrays in {@link #params}, so gradients flow to them when they require one.
     */
    protected NDArray forward(NDArray x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no differentiable forward pass");
    }

    /** Hands a convolution's output to the probe, if one is set; returns it. */
    protected NDArray observed(String name, NDArray out) {
        FiniteCheck.check(out, name, "convolution");
        if (probe != null) {
            probe.record(name, out);
        }
        return out;
    }

    /** Stride-1 convolution with "same" padding (k / 2), as PyTorch's {@code Conv2d(k, padding=k // 2)}. */
    protected NDArray conv(NDArray x, String name) {
        return observed(name, Ops.sameConv(x, params.get(name + ".weight"), params.get(name + ".bias")));
    }

    /**
     * Nearest-neighbour up-sampling by {@code rh} x {@code rw}. In a channels-last pass it is built in NHWC, so that
     * its output keeps that layout: {@code repeat} hands back NCHW, and the convolutions after it, the largest of an
     * up-sampling network, then reorder their input and output at every call (a third of RRDBNet x4's time). The
     * values are copies either way; training keeps {@code repeat}, whose backward pass it was verified with.
     */
    protected NDArray upsampleNearest(NDArray x, long rh, long rw) {
        if (!channelsLast || keepIntermediates) {
            return x.repeat(2, rh).repeat(3, rw);
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.transpose(0, 2, 3, 1).reshape(n, h, 1, w, 1, c).broadcast(new Shape(n, h, rh, w, rw, c))
                .reshape(n, h * rh, w * rw, c).transpose(0, 3, 1, 2);
    }

    /** PyTorch's pixel_shuffle: [N, C*r*r, H, W] to [N, C, H*r, W*r]. */
    protected static NDArray pixelShuffle(NDArray x, int r) {
        Shape s = x.getShape();
        long c = s.get(1) / ((long) r * r);
        return x.reshape(s.get(0), c, r, r, s.get(2), s.get(3)).transpose(0, 1, 4, 2, 5, 3)
                .reshape(s.get(0), c, s.get(2) * r, s.get(3) * r);
    }

    /**
     * Copies a finished output into {@code outShape} and a float array, in NCHW order whatever its memory order
     * (flattening a channels-last array copies it into NCHW order; a contiguous one is only viewed).
     */
    protected static float[] result(NDArray y, int[] outShape) {
        Shape s = y.getShape();
        outShape[0] = (int) s.get(1);
        outShape[1] = (int) s.get(2);
        outShape[2] = (int) s.get(3);
        try (NDArray flat = y.reshape(s.size())) {
            return flat.toFloatArray();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
