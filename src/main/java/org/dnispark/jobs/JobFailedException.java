package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.List;

/** A job that failed inside Spark (a task failed too often, an executor was lost for good, ...). */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** A URI or Hadoop path ({@code s3a://b/k}, {@code file:/tmp/x}, {@code hdfs://nn/x}). */
    private static final java.util.regex.Pattern NAMES_A_FILE =
            java.util.regex.Pattern.compile("\\b[a-z][a-z0-9+.-]*:/");

    JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The task's own error from Spark's "Job aborted due to stage failure: ... most recent failure: ..." text, found
     * down the cause chain (an RDD written through Hadoop's output format arrives wrapped in a bare "Job aborted.").
     */
    static String taskFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("most recent failure:")) {
                e = t;
                break;
            }
        }
        String m = String.valueOf(e.getMessage());
        int i = m.indexOf("most recent failure:");
        String first = (i >= 0 ? m.substring(i + "most recent failure:".length()) : m).trim();
        int nl = first.indexOf('\n');
        String task = nl > 0 ? first.substring(0, nl) : first;
        if (task.endsWith("Task failed while writing rows")) {
            // Hadoop's output writer wraps whatever the task's rows threw: the root cause is the task's own error
            task += ": " + rootCause(e, first);
        }
        if (task.contains("ExecutorLostFailure") || task.contains("exited with code 52")
                || task.contains("OutOfMemoryError")) {
            // the JVM itself went away: most often its heap, sometimes the machine's memory (the kernel's OOM killer)
            task += " - an executor died; if it ran out of memory, raise spark.executor.memory (and "
                    + "spark.executor.memoryOverhead for native memory) or lower dni.inference.block-bytes, "
                    + "dni.inference.block-images or spark.executor.cores";
        }
        return task;
    }

    /**
     * The task's own error under the writer's wrapper: the deepest cause that names a file or URI (it says what could
     * not be written, and its message carries the reason), else the deepest cause; from the exception chain, else
     * from the trace's "Caused by:" lines.
     */
    private static String rootCause(Throwable stageFailure, String trace) {
        List<String> causes = new ArrayList<>();
        Throwable t = stageFailure.getCause();
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            causes.add(t.toString());
        }
        if (causes.isEmpty()) {
            for (String line : trace.split("\n")) {
                if (line.startsWith("Caused by: ")) {
                    causes.add(line.substring("Caused by: ".length()));
                }
            }
        }
        for (int i = causes.size() - 1; i >= 0; i--) {
            if (NAMES_A_FILE.matcher(causes.get(i)).find()) {
                return causes.get(i);
            }
        }
        return causes.isEmpty() ? "no cause given" : causes.get(causes.size() - 1);
    }
}
