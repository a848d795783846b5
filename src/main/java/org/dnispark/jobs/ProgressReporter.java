package org.dnispark.jobs;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Prints a line every few seconds while a job's images are processed: images and inferences done of the total, rate,
 * elapsed and estimated time left. Running tasks count, not only finished ones: their counters arrive with the
 * executors' heartbeats ({@code spark.executor.heartbeatInterval}), so a long task shows progress on a cluster too.
 * A finished task's counts come from the accumulators themselves (which only successful tasks add to); a failed
 * task's partial counts are dropped when it ends.
 */
final class ProgressReporter implements AutoCloseable {
    private final SparkContext sc;
    private final PrintStream out;
    private final String label;
    private final long totalImages;
    private final long totalInferences;
    private final LongAccumulator images;
    private final LongAccumulator inferences;
    private final long startNanos = System.nanoTime();
    /** The latest counts of each running task, by task id: {images, inferences}. */
    private final Map<Long, long[]> running = new ConcurrentHashMap<>();
    private final SparkListener listener;
    private final Thread printer;
    private final AtomicLong lastPrinted = new AtomicLong(-1);
    private long lastPrintNanos;
    /** An unchanged count is printed again after this long, so that a slow first task still shows signs of life. */
    private static final long QUIET_NANOS = 30_000_000_000L;

    private ProgressReporter(SparkContext sc, PrintStream out, String label, ExecutorPlan.Progress progress,
            long totalImages, long totalInferences, long intervalMillis) {
        this.sc = sc;
        this.out = out;
        this.label = label;
        this.totalImages = totalImages;
        this.totalInferences = totalInferences;
        this.images = progress.images();
        this.inferences = progress.inferences();
        long imagesId = images.id();
        long inferencesId = inferences.id();
        this.listener = new SparkListener() {
            @Override
            public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
                for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                        : CollectionConverters.asJava(update.accumUpdates())) {
                    long[] counts = running.computeIfAbsent((Long) task._1(), id -> new long[2]);
                    for (AccumulableInfo a : CollectionConverters.asJava(task._4())) {
                        if (a.update().isDefined() && a.update().get() instanceof Long v) {
                            if (a.id() == imagesId) {
                                counts[0] = v;
                            } else if (a.id() == inferencesId) {
                                counts[1] = v;
                            }
                        }
                    }
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                running.remove(end.taskInfo().taskId());
            }
        };
        sc.addSparkListener(listener);
        this.printer = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(intervalMillis);
                    print(false);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }, "dni-progress");
        printer.setDaemon(true);
        printer.start();
    }

    /** Starts reporting, or returns null when {@code intervalMillis} is 0 (progress off). */
    static ProgressReporter start(SparkContext sc, PrintStream out, String label, ExecutorPlan.Progress progress,
            long totalImages, long totalInferences, long intervalMillis) {
        return intervalMillis <= 0 ? null
                : new ProgressReporter(sc, out, label, progress, totalImages, totalInferences, intervalMillis);
    }

    private synchronized void print(boolean last) {
        long doneImages = images.value();
        long doneInferences = inferences.value();
        for (long[] c : running.values()) {
            doneImages += c[0];
            doneInferences += c[1];
        }
        // heartbeats may report a task that has just been counted at its end: never above the total
        doneImages = Math.min(doneImages, totalImages);
        doneInferences = Math.min(doneInferences, totalInferences);
        long now = System.nanoTime();
        boolean unchanged = doneInferences == lastPrinted.get();
        if (unchanged && (last || now - lastPrintNanos < QUIET_NANOS)) {
            return; // nothing new since the last line
        }
        lastPrinted.set(doneInferences);
        lastPrintNanos = now;
        out.println(line(label, doneImages, totalImages, doneInferences, totalInferences,
                (System.nanoTime() - startNanos) / 1_000_000));
    }

    /** One progress line; pure, for tests. */
    static String line(String label, long images, long totalImages, long inferences, long totalInferences,
            long elapsedMillis) {
        double fraction = totalInferences == 0 ? 1 : (double) inferences / totalInferences;
        double rate = elapsedMillis == 0 ? 0 : inferences * 1000.0 / elapsedMillis;
        String left = inferences == 0 ? "time left unknown"
                : "about " + duration((long) ((totalInferences - inferences) / rate * 1000)) + " left";
        return String.format(Locale.ROOT, "dni: %s: %d/%d images, %d/%d inferences (%.1f %%), %.2f inferences/s, "
                + "%s elapsed, %s", label, images, totalImages, inferences, totalInferences, 100 * fraction, rate,
                duration(elapsedMillis), left);
    }

    static String duration(long millis) {
        long s = Math.round(millis / 1000.0);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** Stops the printer; after a successful inference phase, prints the final (100 %) line. */
    void finish(boolean completed) {
        printer.interrupt();
        sc.removeSparkListener(listener);
        running.clear();
        if (completed) {
            print(true);
        }
    }

    @Override
    public void close() {
        finish(false);
    }
}
