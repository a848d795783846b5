package org.dnispark.core;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named parameter or buffer of a model: shape, element type and values. Floating tensors keep their
 * values in a {@code float[]} (fp16 and bf16 values are exact in fp32); integer tensors in a {@code long[]}.
 * Instances are treated as immutable: the arrays are never handed out for writing.
 */
public final class NamedTensor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final int[] shape;
    private final DType dtype;
    private final float[] floats;
    private final long[] longs;

    private NamedTensor(String name, int[] shape, DType dtype, float[] floats, long[] longs) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.floats = floats;
        this.longs = longs;
        long expected = elementCount(shape);
        long actual = floats != null ? floats.length : longs.length;
        if (expected != actual) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape) + " ("
                    + expected + " elements) but " + actual + " values");
        }
    }

    public static NamedTensor ofFloats(String name, int[] shape, DType dtype, float[] values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not a floating type");
        }
        return new NamedTensor(name, shape, dtype, values, null);
    }

    public static NamedTensor ofLongs(String name, int[] shape, DType dtype, long[] values) {
        if (dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not an integer type");
        }
        return new NamedTensor(name, shape, dtype, null, values);
    }

    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more elements than a "
                        + "64-bit count can hold");
            }
        }
        return n;
    }

    /**
     * For a floating tensor holding NaN or infinite values, how many and the first ("holds 2 non-finite values
     * (first: Infinity at index 0)"); null when every value is finite or the tensor is integral.
     */
    public String nonFinite() {
        if (!dtype.isFloating()) {
            return null;
        }
        int bad = 0;
        int first = -1;
        for (int i = 0; i < floats.length; i++) {
            if (!Float.isFinite(floats[i])) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        return bad == 0 ? null : "holds " + bad + " non-finite value" + (bad == 1 ? "" : "s") + " (first: "
                + floats[first] + " at index " + first + ")";
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public DType dtype() {
        return dtype;
    }

    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** The values of a floating tensor. Callers must not modify the returned array. */
    public float[] floatValues() {
        if (floats == null) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not floating");
        }
        return floats;
    }

    /** The values of an integer tensor. Callers must not modify the returned array. */
    public long[] longValues() {
        if (longs == null) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not integer");
        }
        return longs;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NamedTensor)) {
            return false;
        }
        NamedTensor t = (NamedTensor) o;
        return name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
