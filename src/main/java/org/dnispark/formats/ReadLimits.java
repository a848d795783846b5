package org.dnispark.formats;

/**
 * How much work and memory a model file may ask for while it is read. Every size a file declares is checked against
 * these before anything is allocated for it, and every refusal names the file, the limit and the key that raises it
 * (keys under {@code dni.limits}).
 *
 * @param modelBytes    {@code dni.limits.model-bytes}: largest model file, and largest total its zip records inflate to
 * @param pickleObjects {@code dni.limits.pickle-objects}: most values and memo entries one pickle may create
 * @param pickleDepth   {@code dni.limits.pickle-depth}: deepest nesting of containers in a pickle
 * @param zipEntries    {@code dni.limits.zip-entries}: most records in a zip archive
 * @param zipRatio      {@code dni.limits.zip-ratio}: most bytes a compressed record may inflate to per stored byte
 */
public record ReadLimits(long modelBytes, long pickleObjects, int pickleDepth, int zipEntries, int zipRatio) {
    /** The defaults of reference.conf, for code that reads files without a configuration (tests, tools). */
    public static final ReadLimits DEFAULT = new ReadLimits(1L << 30, 2_000_000, 100, 100_000, 100);

    public ReadLimits {
        if (modelBytes < 1 || modelBytes > Integer.MAX_VALUE - 64L || pickleObjects < 1 || pickleDepth < 1
                || zipEntries < 1 || zipRatio < 1) {
            throw new IllegalArgumentException("read limits must be positive (model-bytes at most 2 GiB): " + modelBytes
                    + ", " + pickleObjects + ", " + pickleDepth + ", " + zipEntries + ", " + zipRatio);
        }
    }

    /** An error for a file that exceeds one of the limits: what it asked for, the limit and its key. */
    static FormatException exceeded(String source, String what, long limit, String key) {
        return new FormatException(source + ": " + what + " exceeds the limit of " + limit + " (dni.limits." + key
                + "; raise it only for files you trust)");
    }

    /**
     * Refuses an allocation the JVM cannot make: a file's own sizes may be within the limits and still not fit the
     * heap of a small executor, and an OutOfMemoryError would take the whole job down without a word about why.
     */
    static void requireHeap(long bytes, String source, String what) {
        String shortfall = org.dnispark.core.Heap.shortfall(bytes);
        if (shortfall != null) {
            throw new FormatException(source + ": " + what + " " + shortfall);
        }
    }
}
