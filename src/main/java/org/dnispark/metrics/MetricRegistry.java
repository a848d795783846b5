package org.dnispark.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every metric a job can compute, in the order result tables list them. Adding one is its own file and one line
 * here; settings, score tables, best-picking, the alpha search and the report all read this list.
 */
public final class MetricRegistry {
    private static final List<Metric> METRICS = List.of(
            Psnr.RGB,
            Psnr.Y,
            Ssim.RGB,
            Ssim.Y,
            Niqe.METRIC);

    private MetricRegistry() {
    }

    public static List<Metric> all() {
        return METRICS;
    }

    /** The metric with this settings name; an IllegalArgumentException lists the names there are. */
    public static Metric named(String name) {
        for (Metric m : METRICS) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("no metric named '" + name + "'; expected one of " + names());
    }

    /** The metric whose result column this is. */
    public static Optional<Metric> byColumn(String column) {
        return METRICS.stream().filter(m -> m.column().equals(column)).findFirst();
    }

    public static List<String> names() {
        return METRICS.stream().map(Metric::name).toList();
    }

    /** The named metrics in the registry's order (the order of result columns), each once. */
    public static List<Metric> select(List<String> names) {
        List<Metric> out = new ArrayList<>();
        for (Metric m : METRICS) {
            if (names.contains(m.name())) {
                out.add(m);
            }
        }
        return out;
    }
}
