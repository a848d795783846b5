package org.dnispark.runtime;

import org.dnispark.core.ModelWeights;

/** A network that maps NCHW images to NCHW images, whose weights can be swapped (one instance per partition). */
public interface ImageNetwork extends AutoCloseable {
    void setWeights(ModelWeights weights);

    /** Runs a batch; {@code outShape} receives {channels, height, width} of each output item. */
    float[] forward(float[] input, int batch, int channels, int height, int width, int[] outShape);

    /**
     * Records every convolution's output (before its activation) into {@code stats} on the following forward passes;
     * null stops. Networks that cannot (TorchScript modules, whose code is opaque) refuse.
     */
    default void probe(ActivationStatistics stats) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose its activations");
    }

    /**
     * Whether the forward pass runs its activations in channels-last memory order ({@link Tensors#channelsLast}),
     * the default of the in-process networks; false runs them NCHW, for {@code jobs/bench-architectures.sh}'s side
     * by side comparison. Networks the engine runs whole (TorchScript, ONNX) ignore it.
     */
    default void channelsLast(boolean on) {
    }

    @Override
    void close();
}
