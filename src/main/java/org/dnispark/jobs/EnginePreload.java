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
 * loading and interpolation instead of holding up each executor's first tasks (issue 29: about half a second of a
 * 108-inference sweep's inference phase, in every network's first predictors). A task that needs the engine sooner
 * waits for the same load, since DJL starts an engine once per JVM. The time it took is logged and published as the
 * executor metric {@code plugin.org.dnispark.jobs.EnginePreload.engineStartMillis}; a failure is logged only, and
 * the first task that needs the engine reports it with its context.
 */
public final class EnginePreload implements SparkPlugin {
    /** The executors' torch threads per task, which must be set before the engine starts. */
    static final String TORCH_THREADS = "spark.dni.torch-threads";

    private static final Logger LOG = LoggerFactory.getLogger(EnginePreload.class);

    /** Milliseconds the engine took to start in this JVM's preload; -1 until it has, or if it failed. */
    private static volatile long startMillis = -1;

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
            startMillis = (System.nanoTime() - t0) / 1_000_000;
            LOG.info(String.format(Locale.ROOT, "dni: executor %s: PyTorch %s started in %d ms (preloaded)", executor,
                    version, startMillis));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("dni: executor " + executor + ": could not preload the PyTorch engine (the first task that "
                    + "needs it will say why): " + e);
        }
    }

    /** The preload's time in this JVM, or -1: for tests. */
    static long startMillis() {
        return startMillis;
    }
}
