package org.dnispark.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.JobSettings;

/** Builds the Spark session a job runs in, from validated settings. */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(JobSettings s) {
        SparkConf conf = new SparkConf().setAppName(s.appName + "-" + s.job.key()).setMaster(s.sparkMaster);
        // Executors in other JVMs must run DJL offline too; local mode shares the driver's JVM settings.
        conf.set("spark.executorEnv.DJL_OFFLINE", "true");
        s.sparkConf.forEach(conf::set);
        s.hadoopConf.forEach((k, v) -> conf.set("spark.hadoop." + k, v));
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
