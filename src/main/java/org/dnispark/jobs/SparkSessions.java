package org.dnispark.jobs;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.ImageJobSettings;
import org.dnispark.config.SettingsException;
import org.dnispark.config.SparkSettings;
import org.dnispark.models.ModelStore;

/**
 * Builds the Spark session a job runs in. What {@code spark-submit} set ({@code --master}, {@code --conf},
 * {@code --deploy-mode}, resources) comes first: the job's own {@code dni.spark.*} keys only fill in what it left
 * unset, and one that contradicts it stops the job with both values named, never overriding it silently.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(ImageJobSettings s) {
        requireEventLogFolder(s.run().spark().eventLog(), s.common().hadoop());
        SparkConf conf = conf(s.run().spark(), s.common().hadoop(), s.command(), new SparkConf());
        if (s.run().spark().preloadEngine() && needsPyTorch(s.common().models())) {
            preloadEngine(conf, s.run().inference().torchThreads());
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** Whether the models run in the PyTorch engine: all but a set of ONNX files (ONNX Runtime's). */
    static boolean needsPyTorch(List<String> models) {
        return !models.stream().allMatch(ModelStore::isOnnx);
    }

    /**
     * Adds {@link EnginePreload} to the application's plugins, with the torch threads it must start the engine with.
     */
    static void preloadEngine(SparkConf conf, int torchThreads) {
        addPlugin(conf, EnginePreload.class.getName());
        conf.set(EnginePreload.TORCH_THREADS, Integer.toString(torchThreads));
    }

    private static void addPlugin(SparkConf conf, String plugin) {
        String plugins = conf.get("spark.plugins", "");
        if (Arrays.stream(plugins.split(",")).map(String::trim).noneMatch(plugin::equals)) {
            conf.set("spark.plugins", plugins.isEmpty() ? plugin : plugins + "," + plugin);
        }
    }

    /**
     * {@code dni.spark.event-log} must name an existing folder: Spark does not create it, and fails to start with a
     * stack trace if it is missing. Checked before Spark starts, with the run's storage settings.
     */
    static void requireEventLogFolder(String eventLog, Map<String, String> hadoop) {
        if (eventLog.isEmpty()) {
            return;
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(eventLog);
        boolean folder;
        try {
            folder = org.dnispark.storage.Storage.fs(p, org.dnispark.storage.Storage.configuration(hadoop))
                    .getFileStatus(p).isDirectory();
        } catch (java.io.FileNotFoundException e) {
            folder = false;
        } catch (java.io.IOException | RuntimeException e) {
            throw new SettingsException("dni.spark.event-log", "a folder Spark can write its event log to",
                    eventLog + " (unreachable: " + e.getMessage() + ")");
        }
        if (!folder) {
            throw new SettingsException("dni.spark.event-log", "an existing folder (Spark does not create it)",
                    eventLog);
        }
    }

    /** Keys whose values Spark masks in its UI, event log and logs: Spark's default, plus every store's key names. */
    static final String REDACTION = "(?i)secret|password|passwd|token|access[.]key|account[.]key|encryption[.]key"
            + "|private[.]key|credential(?!s?[.]provider)";

    /** {@code submitted}: the configuration spark-submit gave this JVM (empty outside spark-submit). */
    static SparkConf conf(SparkSettings spark, Map<String, String> hadoop, String command, SparkConf submitted) {
        SparkConf conf = submitted.clone();
        if (!spark.master().isEmpty()) {
            agree(conf, "spark.master", spark.master(), "dni.spark.master");
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(spark.appName() + "-" + command);
        }
        // Executors in other JVMs must run DJL offline too; local mode shares the driver's JVM settings.
        if (!conf.contains("spark.executorEnv.DJL_OFFLINE")) {
            conf.set("spark.executorEnv.DJL_OFFLINE", "true");
        }
        // Spark's own default misses keys such as fs.azure.account.key.* and fs.s3a.encryption.key, which reach its
        // environment listing and event log as spark.hadoop.* entries
        // running tasks report their progress counters with each heartbeat (Spark's default is every 10 s)
        if (!conf.contains("spark.executor.heartbeatInterval") && spark.progressMillis() > 0) {
            conf.set("spark.executor.heartbeatInterval", Math.max(1000, Math.min(spark.progressMillis(), 10_000)) + "ms");
        }
        // the run's counters and timers as Spark metrics (RunMetrics), beside any plugin the cluster configures
        addPlugin(conf, DniMetricsPlugin.class.getName());
        if (!conf.contains("spark.redaction.regex")) {
            conf.set("spark.redaction.regex", REDACTION);
        }
        if (!spark.eventLog().isEmpty()) {
            agree(conf, "spark.eventLog.enabled", "true", "dni.spark.event-log");
            agree(conf, "spark.eventLog.dir", spark.eventLog(), "dni.spark.event-log");
        }
        spark.conf().forEach((k, v) -> agree(conf, k, v, "dni.spark.conf.\"" + k + "\""));
        hadoop.forEach((k, v) -> agree(conf, "spark.hadoop." + k, v, "dni.spark.hadoop.\"" + k + "\""));
        return conf;
    }

    private static void agree(SparkConf conf, String key, String value, String setting) {
        if (conf.contains(key) && !conf.get(key).equals(value)) {
            throw new SettingsException(setting + " = " + value + " contradicts " + key + " = " + conf.get(key)
                    + " given to spark-submit (or as a system property); remove one of them");
        }
        conf.set(key, value);
    }
}
