package org.dnispark.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The one place where Java values become engine arrays. Every array it returns owns its memory inside libtorch.
 *
 * <p>Why: DJL's {@code NDManager.create(float[] ...)} and its scalar overloads ({@code x.mul(0.2f)}) wrap a Java
 * direct buffer with {@code torch::from_blob}. libtorch then reads memory it does not own, and that memory stays
 * valid only while the Java array object is reachable. DJL closes the scalar of {@code x.mul(0.2f)} as soon as the
 * call returns, but autograd keeps it for the backward pass. The next garbage collection frees it, and the gradient is
 * then computed from whatever the allocator put there (issue 24: NaN, or silently wrong weights, at a step that
 * depended on the collector's timing). Copying into engine memory costs one memcpy and makes an array's lifetime
 * libtorch's own reference count, whoever else holds it. {@code NativeMemoryRuleTest} checks that nothing in
 * {@code runtime} or {@code train} creates arrays any other way.
 */
public final class Tensors {
    private Tensors() {
    }

    /**
     * An array of {@code shape} holding a copy of {@code values}, owned by the engine, attached to {@code manager}.
     * The values pass through a direct buffer the calling thread keeps for the next copy (up to
     * {@value #SCRATCH_MAX_BYTES} bytes; larger arrays get one of their own): a fresh direct buffer per array costs a
     * zeroed allocation and, at the rate weight swaps make them, garbage collections forced by the direct-memory
     * limit (issue 29: PLKSR's swap 21.9 -> 9.1 ms, {@code docs/bench-weight-swap-2026-12-05.txt}). The engine's copy
     * is made before the buffer is reused.
     */
    public static NDArray copyIn(NDManager manager, float[] values, Shape shape) {
        long bytes = 4L * values.length;
        if (bytes > SCRATCH_MAX_BYTES) {
            try (NDArray borrowed = manager.create(values, shape)) {
                return borrowed.duplicate();
            }
        }
        ByteBuffer scratch = SCRATCH.get();
        if (scratch == null || scratch.capacity() < bytes) {
            scratch = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 20)).order(ByteOrder.nativeOrder());
            SCRATCH.set(scratch);
        }
        scratch.clear();
        scratch.asFloatBuffer().put(values);
        scratch.limit((int) bytes);
        try (NDArray borrowed = manager.create(scratch, shape, DataType.FLOAT32)) {
            return borrowed.duplicate();
        }
    }

    /** The largest copy that goes through the thread's kept buffer. */
    static final int SCRATCH_MAX_BYTES = 16 << 20;
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    /**
     * An input array for ONNX Runtime's engine ({@code OnnxNetwork}): ONNX Runtime copies a heap buffer into a tensor
     * it owns ({@code OnnxTensor.createTensor}), so no Java memory is borrowed; its arrays support few operations, so
     * the PyTorch-side copy of {@link #copyIn(NDManager, float[], Shape)} does not apply.
     */
    public static NDArray onnxInput(NDManager ortManager, float[] values, Shape shape) {
        return ortManager.create(values, shape);
    }

    /**
     * The same NCHW array (shape and values) in channels-last memory order (NHWC strides), attached to the manager
     * of {@code x}. libtorch's oneDNN convolutions read and write that order natively; NCHW costs them a reorder of
     * every activation into a blocked layout and back (issue 29). Every operator keeps the order of its inputs, so a
     * forward pass that starts in it stays in it; the values of a pass are those of NCHW up to the order of sums.
     */
    public static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("channels-last needs a 4-D array (N, C, H, W), not " + s);
        }
        // permuting to NHWC and flattening copies into that order; the permutation back is a view with NHWC strides
        return x.transpose(0, 2, 3, 1).reshape(s.size()).reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /** A one-dimensional engine-owned copy of {@code values}. */
    public static NDArray copyIn(NDManager manager, float[] values) {
        return copyIn(manager, values, new Shape(values.length));
    }

    /**
     * A zero-dimensional array holding {@code value} in the data type and on the manager of {@code like}, created by
     * the engine ({@code torch::full}), so autograd may keep it after the caller closes it.
     */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
