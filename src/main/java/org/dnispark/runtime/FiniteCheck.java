package org.dnispark.runtime;

import ai.djl.ndarray.NDArray;

/**
 * {@code dni.debug.check-finite}: when on, every intermediate array of a forward pass, and every loss, gradient and
 * update of a training step, is checked as it is made. The first one holding NaN or infinity stops the run with
 * {@link NonFiniteException}, which names the layer and the operation. Off (the default), a check costs one read of a
 * volatile flag. It is one switch per JVM (driver or executor), set from the settings of the run it belongs to.
 */
public final class FiniteCheck {
    private static volatile boolean enabled;
    /** The last layer checked on this thread, so that an activation or a residual add can say where it was. */
    private static final ThreadLocal<String> LAST_LAYER = ThreadLocal.withInitial(() -> "the input");

    private FiniteCheck() {
    }

    /** A value that is not finite, where it appeared first. */
    public static final class NonFiniteException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NonFiniteException(String message) {
            super(message);
        }
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Checks the output of {@code operation} in {@code layer} and returns it. */
    public static NDArray check(NDArray a, String layer, String operation) {
        if (enabled) {
            LAST_LAYER.set(layer);
            verify(a, "layer " + layer + ", " + operation);
        }
        return a;
    }

    /** Checks the output of an operation that belongs to no named layer (named after the last layer checked). */
    public static NDArray check(NDArray a, String operation) {
        if (enabled) {
            verify(a, operation + " after " + LAST_LAYER.get());
        }
        return a;
    }

    /** A forward pass starts: activations are named after its layers from here on. */
    public static void startForward() {
        if (enabled) {
            LAST_LAYER.set("the input");
        }
    }

    private static void verify(NDArray a, String where) {
        long nan;
        long infinite;
        try (NDArray n = a.isNaN(); NDArray i = a.isInfinite(); NDArray nCount = n.countNonzero();
                NDArray iCount = i.countNonzero()) {
            nan = nCount.getLong();
            infinite = iCount.getLong();
        }
        if (nan > 0 || infinite > 0) {
            throw new NonFiniteException("dni.debug.check-finite: " + where + " produced " + nan + " NaN and "
                    + infinite + " infinite values of " + a.getShape().size() + " (shape " + a.getShape() + ")");
        }
    }
}
