package org.dnispark.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.dnispark.core.DType;
import org.dnispark.core.HalfFloats;
import org.dnispark.core.NamedTensor;

/** Little-endian element encoding shared by the safetensors and .pth codecs. */
final class TensorBytes {
    private TensorBytes() {
    }

    /** Decodes {@code count} elements read with the given strides (in elements) into a contiguous tensor. */
    static NamedTensor decode(String name, DType dtype, int[] shape, long[] strides, long offset, ByteBuffer data,
            String source) {
        long count = NamedTensor.elementCount(shape);
        if (count > Integer.MAX_VALUE) {
            throw new FormatException(source + ": tensor " + name + " has " + count + " elements; too large");
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (count > 0) {
            // The last element's byte position, in checked arithmetic: offsets and strides come from the file.
            long needed;
            try {
                long maxIndex = offset;
                for (int d = 0; d < shape.length; d++) {
                    if (strides[d] < 0) {
                        throw new ArithmeticException();
                    }
                    maxIndex = Math.addExact(maxIndex, Math.multiplyExact((long) shape[d] - 1, strides[d]));
                }
                needed = Math.multiplyExact(Math.addExact(maxIndex, 1), (long) dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new FormatException(source + ": tensor " + name + " " + java.util.Arrays.toString(shape)
                        + " has offset " + offset + " and strides " + java.util.Arrays.toString(strides)
                        + " that reach beyond any storage (64-bit overflow or negative)");
            }
            if (offset < 0 || needed > b.capacity()) {
                throw new FormatException(source + ": tensor " + name + " " + java.util.Arrays.toString(shape)
                        + " with offset " + offset + " and strides " + java.util.Arrays.toString(strides) + " needs "
                        + needed + " bytes of storage, but its storage holds " + b.capacity());
            }
        }
        int n = (int) count;
        int[] index = new int[shape.length];
        float[] floats = dtype.isFloating() ? new float[n] : null;
        long[] longs = dtype.isFloating() ? null : new long[n];
        for (int i = 0; i < n; i++) {
            long e = offset;
            for (int d = 0; d < shape.length; d++) {
                e += index[d] * strides[d];
            }
            int at = (int) (e * dtype.byteSize());
            switch (dtype) {
                case FLOAT32:
                    floats[i] = b.getFloat(at);
                    break;
                case FLOAT16:
                    floats[i] = HalfFloats.halfToFloat(b.getShort(at));
                    break;
                case BFLOAT16:
                    floats[i] = HalfFloats.bfloat16ToFloat(b.getShort(at));
                    break;
                case INT64:
                    longs[i] = b.getLong(at);
                    break;
                case INT32:
                    longs[i] = b.getInt(at);
                    break;
                case UINT8:
                    longs[i] = b.get(at) & 0xff;
                    break;
                default:
                    throw new IllegalStateException(dtype.toString());
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return dtype.isFloating() ? NamedTensor.ofFloats(name, shape, dtype, floats)
                : NamedTensor.ofLongs(name, shape, dtype, longs);
    }

    static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** The tensor's elements, contiguous, little endian, in its own dtype. */
    static byte[] encode(NamedTensor t) {
        DType dtype = t.dtype();
        int n = t.size();
        ByteBuffer b = ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT32:
                    b.putFloat(t.floatValues()[i]);
                    break;
                case FLOAT16:
                    b.putShort(HalfFloats.floatToHalf(t.floatValues()[i]));
                    break;
                case BFLOAT16:
                    b.putShort(HalfFloats.floatToBfloat16(t.floatValues()[i]));
                    break;
                case INT64:
                    b.putLong(t.longValues()[i]);
                    break;
                case INT32:
                    b.putInt((int) t.longValues()[i]);
                    break;
                case UINT8:
                    b.put((byte) t.longValues()[i]);
                    break;
                default:
                    throw new IllegalStateException(dtype.toString());
            }
        }
        return b.array();
    }
}
