package org.dnispark.config;

import java.util.Map;

/**
 * Where a Spark job runs. None of it changes results (the tests compare local and cluster runs byte for byte).
 *
 * @param master     {@code dni.spark.master}; empty: what spark-submit gave, else {@code local[*]}
 * @param appName    {@code dni.spark.app-name}
 * @param partitions {@code dni.spark.partitions}; 0 chooses
 * @param conf       {@code dni.spark.conf}: further Spark settings
 * @param progressMillis {@code dni.spark.progress-interval}: how often the driver prints progress; 0 is silent
 * @param eventLog   {@code dni.spark.event-log}: the folder (a Hadoop URI) of Spark's event log, for the History
 *                   Server; empty: none
 * @param preloadEngine {@code dni.spark.preload-engine}: start the PyTorch engine on each executor as it starts
 */
public record SparkSettings(String master, String appName, int partitions, Map<String, String> conf,
        long progressMillis, String eventLog, boolean preloadEngine) {
    public static SparkSettings read(SettingsReader r) {
        long progress = r.millisIn("dni.spark.progress-interval", 0, 86_400_000);
        if (progress > 0 && progress < 200) {
            throw new SettingsException("dni.spark.progress-interval", "0 (off) or at least 200ms", progress + "ms");
        }
        return new SparkSettings(r.string("dni.spark.master"),
                r.nonBlank("dni.spark.app-name", "an application name"), r.intIn("dni.spark.partitions", 0, 1_000_000),
                r.flatStrings("dni.spark.conf"), progress, r.string("dni.spark.event-log").trim(),
                r.bool("dni.spark.preload-engine"));
    }
}
