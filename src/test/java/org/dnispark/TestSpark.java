package org.dnispark;

import org.apache.spark.sql.SparkSession;
import org.dnispark.runtime.Engines;

/** The Spark session tests run in: the given master, no UI, bound to 127.0.0.1, DJL configured for one thread. */
public final class TestSpark {
    private TestSpark() {
    }

    public static SparkSession session(String master, String appName) {
        Engines.configure(1);
        return SparkSession.builder().master(master).appName(appName).config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.memory", "1g").config("spark.executorEnv.DJL_OFFLINE", "true")
                .getOrCreate();
    }

    public static SparkSession local(String appName) {
        return session("local[2]", appName);
    }
}
