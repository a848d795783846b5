package org.dnispark.jobs;

import java.util.Map;

import com.codahale.metrics.Gauge;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Publishes {@link RunMetrics} through Spark's metrics system, as gauges of the driver ({@code spark.plugins}, which
 * the jobs set): Spark names them {@code plugin.org.dnispark.jobs.DniMetricsPlugin.<metric>}, and whatever sink the
 * cluster configures carries them (the Prometheus servlet of Spark 4 at {@code /metrics/prometheus}, JMX, CSV, ...).
 */
public final class DniMetricsPlugin implements SparkPlugin {
    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            @Override
            public void registerMetrics(String appId, PluginContext context) {
                for (String name : RunMetrics.NAMES) {
                    context.metricRegistry().register(name, (Gauge<Double>) () -> RunMetrics.value(name));
                }
            }

            @Override
            public Map<String, String> init(org.apache.spark.SparkContext sc, PluginContext context) {
                return Map.of();
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return null; // the executors' counts reach the driver with their heartbeats (RunMetrics reads them there)
    }
}
