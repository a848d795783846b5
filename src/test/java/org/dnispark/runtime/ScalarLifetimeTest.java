package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The minimal reproduction of issue 24 (training diverged to NaN at a different step on every run). DJL's scalar
 * overloads ({@code x.mul(2f)}, {@code x.maximum(0f)}) wrap the scalar around a Java direct buffer
 * ({@code torch::from_blob}, not owned by libtorch) and close it as soon as the call returns. Autograd keeps that
 * scalar for the backward pass, so once a garbage collection lets the Cleaner free the buffer, the backward pass reads
 * freed memory. When that happens depends on the garbage collector's timing, so the failure moved from run to run and
 * machine to machine.
 *
 * <p>Here a collection is forced, and the freed memory is then reused and filled with NaN bit patterns before the
 * backward pass. Through {@link Ops}, whose scalars the engine owns, the gradients are exact.
 */
class ScalarLifetimeTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    /** x = [1, -2, 3] requiring gradients; returns d(sum(f(x)))/dx after a garbage collection between forward and backward. */
    static float[] gradientAfterCollection(UnaryOperator<NDArray> f) {
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = Tensors.copyIn(m, new float[] {1, -2, 3}, new ai.djl.ndarray.types.Shape(3));
            x.setRequiresGradient(true);
            NDArray y = f.apply(x).sum();
            collectAndScribble();
            gc.backward(y);
            return x.getGradient().toFloatArray();
        }
    }

    /**
     * Forces a collection that frees unreachable direct buffers (waits for a sentinel's to be freed too), then
     * allocates many small direct buffers full of NaN bytes, which reuse the freed small blocks.
     */
    static void collectAndScribble() {
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> sentinel = new WeakReference<>(ByteBuffer.allocateDirect(4));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (sentinel.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.onSpinWait();
            }
            try {
                Thread.sleep(20); // the Cleaner thread frees the buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> scribbles = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
            while (b.hasRemaining()) {
                b.put((byte) 0xff);
            }
            scribbles.add(b);
        }
        SCRIBBLES.add(scribbles); // kept until the backward pass has run
    }

    private static final List<Object> SCRIBBLES = new ArrayList<>();

    @Test
    void engineOwnedScalarsSurviveACollectionBeforeTheBackwardPass() {
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(new float[] {2, 2, 2}, gradientAfterCollection(x -> Ops.mul(x, 2f)), "Ops.mul");
            assertArrayEquals(new float[] {1, 0, 1}, gradientAfterCollection(x -> Ops.maximum(x, 0f)), "Ops.maximum");
            assertArrayEquals(new float[] {0, 1, 0}, gradientAfterCollection(x -> Ops.minimum(x, 0f)), "Ops.minimum");
            assertArrayEquals(new float[] {2, 2, 2}, gradientAfterCollection(x -> Ops.add(x, 0.5f).mul(x.onesLike()
                    .mul(Tensors.scalar(x, 2)))), "Ops.add");
            SCRIBBLES.clear();
        }
    }

    /**
     * The same through DJL's own overload: the fault itself. Kept as the record of the cause; it is expected to fail
     * (a wrong or NaN gradient) on any machine, and is run by hand: {@code mvn test -Dtest=ScalarLifetimeTest
     * -Ddni.reproduce.issue24=true}.
     */
    @Test
    void djlScalarOverloadReadsFreedMemoryInTheBackwardPass() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("dni.reproduce.issue24"),
                "the reproduction of the cause runs with -Ddni.reproduce.issue24=true");
        assertArrayEquals(new float[] {2, 2, 2}, gradientAfterCollection(x -> x.mul(2f)), "NDArray.mul(Number)");
    }
}
