package org.dnispark.core;

/**
 * Whether the JVM can make a large allocation: a file within every configured limit may still not fit the heap of a
 * small driver or executor, and an OutOfMemoryError would end the run without a word about why. The readers
 * ({@code formats.ReadLimits}) and whole-file reads ({@code storage.Storage}) turn a shortfall into their own error.
 */
public final class Heap {
    private Heap() {
    }

    /**
     * Null when {@code bytes} fit the free heap (or are under 16 MiB, which is never checked: the collector is only
     * asked for a large allocation); else the rest of a message: what is needed, what is free, and what to raise.
     */
    public static String shortfall(long bytes) {
        if (bytes < 16L << 20) {
            return null;
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            System.gc(); // garbage counts as used until collected; only ever for a large allocation
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (bytes <= free) {
            return null;
        }
        return "needs " + bytes + " bytes of memory but this JVM has " + Math.max(0, free) + " free of its "
                + rt.maxMemory() + "-byte heap (raise -Xmx, through DNI_JAVA_OPTS or spark.driver.memory / "
                + "spark.executor.memory)";
    }
}
