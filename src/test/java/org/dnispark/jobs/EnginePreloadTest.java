package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link EnginePreload}: the jobs register it (once, beside other plugins, with the run's torch threads) unless every
 * model is ONNX, and an executor that starts with it starts the PyTorch engine by itself, before any task.
 */
class EnginePreloadTest {

    @Test
    void theJobsRegisterItOnceWithTheTorchThreads() {
        SparkConf conf = new SparkConf(false).set("spark.plugins", "com.example.Other, " + DniMetricsPlugin.class
                .getName());
        SparkSessions.preloadEngine(conf, 3);
        SparkSessions.preloadEngine(conf, 3);
        assertEquals("com.example.Other, " + DniMetricsPlugin.class.getName() + "," + EnginePreload.class.getName(),
                conf.get("spark.plugins"));
        assertEquals("3", conf.get(EnginePreload.TORCH_THREADS));
        assertTrue(SparkSessions.needsPyTorch(List.of("a.pth", "b.ONNX")));
        assertTrue(SparkSessions.needsPyTorch(List.of("models/noise0_scale2.0x_model", "models/noise3")));
        assertFalse(SparkSessions.needsPyTorch(List.of("a.onnx", "s3a://bucket/b.ONNX")));
    }

    @Tag("spark")
    @Test
    void anExecutorStartsTheEngineBeforeAnyTask() throws InterruptedException {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        // an earlier session in this JVM may have preloaded already: only a preload finished after this one started
        // counts
        long before = System.nanoTime();
        SparkSession spark = SparkSession.builder().master("local[1]").appName("dni-preload")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.plugins", EnginePreload.class.getName()).config(EnginePreload.TORCH_THREADS, "1")
                .getOrCreate();
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            java.util.function.BooleanSupplier preloaded = () -> EnginePreload.finishedNanos() != 0
                    && EnginePreload.finishedNanos() - before > 0;
            while (!preloaded.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(preloaded.getAsBoolean(), "the executor did not start the engine within 2 minutes");
            assertEquals(0, spark.sparkContext().statusTracker().getActiveJobIds().length);
        } finally {
            spark.stop();
        }
    }
}
