package org.dnispark.jobs;

/** A job that failed inside Spark (a task failed too often, an executor was lost for good, ...). */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The task's own error from Spark's "Job aborted due to stage failure: ... most recent failure: ..." text. */
    static String taskFailure(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int i = m.indexOf("most recent failure:");
        String first = (i >= 0 ? m.substring(i + "most recent failure:".length()) : m).trim();
        int nl = first.indexOf('\n');
        String task = nl > 0 ? first.substring(0, nl) : first;
        if (task.contains("ExecutorLostFailure") || task.contains("exited with code 52")
                || task.contains("OutOfMemoryError")) {
            // the JVM itself went away: most often its heap, sometimes the machine's memory (the kernel's OOM killer)
            task += " - an executor died; if it ran out of memory, raise spark.executor.memory (and "
                    + "spark.executor.memoryOverhead for native memory) or lower dni.inference.block-bytes, "
                    + "dni.inference.block-images or spark.executor.cores";
        }
        return task;
    }
}
