package org.dnispark.core;

/** SplitMix64's output function: a fast, well-mixed 64-bit hash for deriving independent seeds. */
public final class SplitMix {
    /** SplitMix64's increment (the golden ratio in 64 bits). */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SplitMix() {
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
