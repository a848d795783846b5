package org.dnispark.jobs;

import java.util.Locale;
import java.util.Map;

import com.codahale.metrics.Gauge;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.dnispark.runtime.Engines;

/**
 * Starts the PyTorch engine on every executor as the executor starts ({@code dni.spark.preload-engine}), on a
 * background thread. Loading libtorch takes most of a second; this way it overlaps the driver's listing, model
 * loading and interpolation instead of holding up each executor's first tasks (issue 29: a local 108-inference SPAN
 * sweep's warm-up, three runs each way, 2.07-2.49 s of task time without it, 1.45-1.80 s with it). A task that
 * needs the engine sooner waits for the same load, since DJL starts an engine once per JVM. The time it took is logged
 * and published as the executor metric {@code plugin.org.dnispark.jobs.EnginePreload.engineStartMillis}; a failure
 * is logged only, and the first task that needs the engine reports it with its context.
 */
public final class EnginePreload implements SparkPlugin {
    /** The executors' torch threads per task, which must be set before the engine starts. */
    static final String TORCH_THREADS = "spark.dni.torch-threads";

    private static final Logger LOG = LoggerFactory.getLogger(EnginePreload.class);

    /** Milliseconds the engine took to start in this JVM's preload; -1 until it has, or if it failed. */
    private static volatile long startMillis = -1;
    /** When ({@code System.nanoTime}) this JVM's latest preload finished; 0 if none has. */
    private static volatile long finishedNanos;

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext context, Map<String, String> extraConf) {
                int threads = context.conf().getInt(TORCH_THREADS, 1);
                context.metricRegistry().register("engineStartMillis", (Gauge<Long>) () -> startMillis);
                Thread t = new Thread(() -> start(threads, context.executorID()), "dni-engine-preload");
                t.setDaemon(true);
                t.start();
            }
        };
    }

    private static void start(int threads, String executor) {
        long t0 = System.nanoTime();
        try {
            Engines.configure(threads);
            String version = Engines.pytorchVersion();
            long t1 = System.nanoTime();
            startMillis = (t1 - t0) / 1_000_000;
            finishedNanos = t1;
            LOG.info(String.format(Locale.ROOT, "dni: executor %s: PyTorch %s started in %d ms (preloaded)", executor,
                    version, startMillis));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("dni: executor " + executor + ": could not preload the PyTorch engine (the first task that "
                    + "needs it will say why): " + e);
        }
    }

    /**
     * When this JVM's latest preload finished ({@code System.nanoTime}), 0 if none has: for tests, which cannot tell a
     * preload they started from an earlier one in the same JVM by {@link #startMillis} alone.
     */
    static long finishedNanos() {
        return finishedNanos;
    }
}
