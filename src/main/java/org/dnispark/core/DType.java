package org.dnispark.core;

/** Element types a model tensor can have. Floating types are held as exactly representable fp32 values. */
public enum DType {
    FLOAT32(true, 4),
    FLOAT16(true, 2),
    BFLOAT16(true, 2),
    INT64(false, 8),
    INT32(false, 4),
    UINT8(false, 1);

    private final boolean floating;
    private final int bytes;

    DType(boolean floating, int bytes) {
        this.floating = floating;
        this.bytes = bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    public int byteSize() {
        return bytes;
    }

    /** Rounds an fp32 value to the nearest value this (floating) type can hold, as an fp32. */
    public float round(float value) {
        switch (this) {
            case FLOAT32:
                return value;
            case FLOAT16:
                return HalfFloats.halfToFloat(HalfFloats.floatToHalf(value));
            case BFLOAT16:
                return HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(value));
            default:
                throw new IllegalStateException(this + " is not a floating type");
        }
    }
}
