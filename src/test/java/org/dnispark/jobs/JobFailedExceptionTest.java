package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** A failed task is reported by its own error, however Spark and Hadoop's writer wrap it. */
class JobFailedExceptionTest {
    private static final String STAGE = "Job aborted due to stage failure: Task 1 in stage 53.0 failed 1 times, most "
            + "recent failure: Lost task 1.0 in stage 53.0 (TID 100) (localhost executor driver): ";

    @Test
    void aWriterWrappedErrorNamesTheFileAndTheReason() {
        IOException io = new IOException("getFileStatus on s3a://bucket/out/_dni-staging-x/frames/a.png: "
                + "Connection refused", new ConnectException("Connection refused"));
        SparkException task = new SparkException("Task failed while writing rows", io);
        SparkException stage = new SparkException(STAGE + "org.apache.spark.SparkException: Task failed while "
                + "writing rows\n\tat org.apache.spark.internal.io.SparkHadoopWriter$.executeTask\nCaused by: "
                + io + "\n", task);
        String m = JobFailedException.taskFailure(new SparkException("Job aborted.", stage));
        assertTrue(m.startsWith("Lost task 1.0 in stage 53.0"), m);
        // the deepest cause that names a file, not the bare ConnectException below it
        assertTrue(m.endsWith("Task failed while writing rows: " + io), m);
    }

    @Test
    void withoutTheExceptionsTheTraceSays() {
        String trace = STAGE + "org.apache.spark.SparkException: Task failed while writing rows\n\tat x.y(Z.java:1)\n"
                + "Caused by: java.io.IOException: cannot write file:/out/a.png: disk full\n\tat a.b(C.java:2)\n"
                + "Caused by: java.io.IOException: disk full\n";
        String m = JobFailedException.taskFailure(new SparkException(trace));
        assertTrue(m.endsWith("rows: java.io.IOException: cannot write file:/out/a.png: disk full"), m);
    }

    @Test
    void aTaskErrorOfItsOwnIsKeptAsItIs() {
        String m = JobFailedException.taskFailure(new SparkException(STAGE
                + "java.lang.IllegalStateException: a task ran out of memory (Java heap space) on images [big]\n\tat x"));
        assertEquals("Lost task 1.0 in stage 53.0 (TID 100) (localhost executor driver): "
                + "java.lang.IllegalStateException: a task ran out of memory (Java heap space) on images [big]", m);
    }
}
