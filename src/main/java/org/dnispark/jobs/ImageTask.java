package org.dnispark.jobs;

import java.io.Serializable;

/**
 * One image of a run, as listed ({@link ImageCatalog}) and handed to a task: its name (file name without extension;
 * the relative path under the folder when recursive), its input URI, its ground truth's URI (null when the ground
 * truth is the input itself, degraded), why it is refused before any work (null when usable), and a stamp of its
 * files (size and modification time) for the run's identity.
 */
record ImageTask(String name, String input, String truth, String refusal, String stamp) implements Serializable {

    /**
     * A hash of what identifies the task's files (name, input, ground truth, stamp; not the refusal, which follows
     * from them), combined order-independently into the listing's digest.
     */
    long hash() {
        long h = 1125899906842597L;
        for (String s : new String[] {name, input, truth, stamp}) {
            if (s != null) {
                h = 31 * h + s.hashCode();
                h = Long.rotateLeft(h * 0x9E3779B97F4A7C15L, 31);
            }
        }
        return h;
    }
}
