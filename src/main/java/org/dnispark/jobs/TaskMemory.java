package org.dnispark.jobs;

import java.util.List;
import java.util.Locale;

/**
 * What a task says when it runs out of memory. Spark treats an OutOfMemoryError in a task as fatal and ends the
 * executor's JVM with a stack trace (exit code 52, and in local mode the whole job with it). A task turns it into an
 * ordinary failure instead, after dropping the block that took the memory, so that the job ends with one message
 * naming the images and the settings to change, a non-zero exit code, and nothing published.
 */
final class TaskMemory {
    private TaskMemory() {
    }

    static IllegalStateException exhausted(OutOfMemoryError e, List<String> images, long blockBytes) {
        Runtime rt = Runtime.getRuntime();
        return new IllegalStateException(String.format(Locale.ROOT, "a task ran out of memory (%s) on images %s: "
                + "this executor's heap is %d MiB, and each of its running tasks may hold up to "
                + "dni.inference.block-bytes = %d MiB of images besides the broadcast weights. Raise the executor "
                + "memory (spark.executor.memory; -Xmx through DNI_JAVA_OPTS in local mode) or lower "
                + "dni.inference.block-bytes, dni.inference.block-images or spark.executor.cores", e.getMessage(),
                images.size() > 5 ? images.subList(0, 5) + " and " + (images.size() - 5) + " more" : images,
                rt.maxMemory() >> 20, blockBytes >> 20));
    }
}
