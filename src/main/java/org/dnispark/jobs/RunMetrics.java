package org.dnispark.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The numbers a run publishes for schedulers and alerts: images listed, scored and rejected, inferences, broadcast
 * bytes and the seconds of each phase. They are Spark metrics through {@link DniMetricsPlugin} (so any configured sink,
 * the Prometheus servlet, JMX or CSV, carries them while the run goes on) and the same values end up in the run's
 * {@code manifest.json} ({@code metrics}). One run at a time per driver JVM, as the commands run; the counters of
 * running tasks come from their heartbeats (the progress accumulators).
 */
public final class RunMetrics {
    /** Every metric, in the order they are published. */
    public static final List<String> NAMES = List.of("images_listed", "images_scored", "images_rejected",
            "inferences", "broadcast_bytes", "load_models_seconds", "list_seconds", "inference_seconds",
            "reports_seconds", "total_seconds");
    private static final Map<String, Double> VALUES = new ConcurrentHashMap<>();
    private static final AtomicReference<ExecutorPlan.Progress> LIVE = new AtomicReference<>();

    private RunMetrics() {
    }

    /** A new run: every metric back to 0. */
    static void start() {
        LIVE.set(null);
        NAMES.forEach(n -> VALUES.put(n, 0.0));
    }

    static void set(String name, double value) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no run metric " + name);
        }
        VALUES.put(name, value);
    }

    /** While tasks run, inferences (and images scored) are read from their accumulators. */
    static void live(ExecutorPlan.Progress progress) {
        LIVE.set(progress);
    }

    /** The final counts of the inference phase; the accumulators are no longer read. */
    static void settle(long scored, long rejected, long inferences) {
        set("images_scored", scored);
        set("images_rejected", rejected);
        set("inferences", inferences);
        LIVE.set(null);
    }

    /** A metric's current value (0 before a run). */
    public static double value(String name) {
        ExecutorPlan.Progress p = LIVE.get();
        if (p != null && name.equals("inferences")) {
            return p.inferences().value();
        }
        if (p != null && name.equals("images_scored")) {
            return p.images().value();
        }
        return VALUES.getOrDefault(name, 0.0);
    }

    /** Every metric's value, for the manifest. */
    static Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String n : NAMES) {
            double v = value(n);
            m.put(n, n.endsWith("_seconds") ? (Object) v : (Object) (long) v);
        }
        return m;
    }
}
