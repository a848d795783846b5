package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.spark.sql.SparkSession;

import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * YARN for real (issue 27): Hadoop's MiniYARNCluster (a ResourceManager and a NodeManager in this JVM, containers as
 * processes) takes the demo sweep from Spark's own submit entry point with {@code --master yarn}, in client and in
 * cluster mode, the configuration shipped with {@code --files}; the results equal a local run byte for byte. The
 * containers run Spark and Hadoop from target/spark-lib plus Spark's YARN module ({@code spark.yarn.jars}, local to
 * this one machine), and the project only from the application jar.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class YarnIT {
    static final Path DIR = Paths.get("target/it-yarn").toAbsolutePath();
    static final Path ROOT = Paths.get("").toAbsolutePath();
    static MiniYARNCluster yarn;
    static Path hadoopConf;
    static Path local;

    static List<String> sweep(String config, Path out) {
        return List.of("sweep", "--config", config, "dni.model-cache=\"" + TestModels.cache().toAbsolutePath() + "\"",
                "dni.input.images=\"" + ROOT.resolve("demo/images") + "\"", "dni.sweep.alphas=[0, 0.5, 1]",
                "dni.spark.partitions=4", "dni.sweep.output=\"" + out + "\"", "dni.output.if-exists=overwrite");
    }

    @BeforeAll
    static void start() throws Exception {
        SparkSubmitIT.Folders.delete(DIR);
        Files.createDirectories(DIR);
        local = DIR.resolve("local");
        org.dnispark.runtime.Engines.configure(1);
        SparkSession spark = org.dnispark.TestSpark.local("dni-yarn-it");
        List<String> args = new ArrayList<>(sweep(ROOT.resolve("conf/demo.conf").toString(), local));
        SweepJob.run(spark, TestJobs.settings(Job.SWEEP, ConfigLoader.load(args.subList(1, args.size()))));
        spark.stop();

        YarnConfiguration conf = new YarnConfiguration();
        // one FIFO queue (the capacity scheduler would need its own configuration file)
        conf.set(YarnConfiguration.RM_SCHEDULER,
                "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        conf.set("yarn.nodemanager.env-whitelist", "JAVA_HOME,PATH,DJL_OFFLINE,HOME");
        yarn = new MiniYARNCluster("dni-yarn", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        // the cluster's addresses are known once it runs: its configuration is what the client reads
        hadoopConf = Files.createDirectories(DIR.resolve("hadoop-conf"));
        for (int i = 0; i < 100 && yarn.getResourceManager().getResourceScheduler().getNumClusterNodes() < 1; i++) {
            Thread.sleep(100);
        }
        try (OutputStream o = Files.newOutputStream(hadoopConf.resolve("yarn-site.xml"))) {
            yarn.getConfig().writeXml(o);
        }
    }

    @AfterAll
    static void stop() {
        if (yarn != null) {
            yarn.stop();
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The jar of Spark's YARN module, from this JVM's class path (it is a test dependency only). */
    static String sparkYarnJar() {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("spark-yarn_")) {
                return e;
            }
        }
        throw new IllegalStateException("spark-yarn is not on the test class path");
    }

    static int submit(String log, String mode, Path out) throws Exception {
        String flags = HistoryServerIT.opens() + " -Dai.djl.offline=true -Djava.awt.headless=true";
        String yarnJar = sparkYarnJar();
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(List.of(HistoryServerIT.opens().split(" ")));
        cmd.addAll(List.of("-Xmx512m", "-cp", hadoopConf + File.pathSeparator + ROOT.resolve("target/spark-lib")
                + "/*" + File.pathSeparator + yarnJar, "org.apache.spark.deploy.SparkSubmit",
                "--master", "yarn", "--deploy-mode", mode, "--files", ROOT.resolve("conf/demo.conf").toString(),
                "--driver-memory", "1g", "--executor-memory", "1g", "--num-executors", "1", "--executor-cores", "2",
                "--conf", "spark.yarn.jars=local:" + ROOT.resolve("target/spark-lib") + "/*,local:" + yarnJar,
                "--conf", "spark.yarn.am.memory=512m",
                "--conf", "spark.driver.extraJavaOptions=" + flags,
                "--conf", "spark.executor.extraJavaOptions=" + flags,
                "--conf", "spark.yarn.am.extraJavaOptions=" + flags,
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.executorEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.yarn.appMasterEnv.DJL_OFFLINE=true",
                "--conf", "spark.yarn.submit.waitAppCompletion=true",
                "--conf", "spark.driver.host=127.0.0.1",
                "--class", "org.dnispark.cli.Main", ROOT.resolve("target/dni-spark-app.jar").toString()));
        // the configuration as --files ships it: by its name, in the driver's working folder (cluster mode)
        cmd.addAll(sweep(mode.equals("cluster") ? "demo.conf" : ROOT.resolve("conf/demo.conf").toString(), out));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(DIR.resolve(log).toFile());
        pb.environment().put("HADOOP_CONF_DIR", hadoopConf.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        assertTrue(p.waitFor(420, TimeUnit.SECONDS), "spark-submit to YARN timed out");
        return p.exitValue();
    }

    static void assertSameAsLocal(Path out) throws IOException {
        for (String f : List.of("psnr.csv", "per_alpha.csv", "rejected.csv")) {
            assertEquals(Files.readString(local.resolve(f)), Files.readString(out.resolve(f)), f);
        }
    }

    @Test
    void clientModeMatchesLocal() throws Exception {
        Path out = DIR.resolve("client");
        long t0 = System.nanoTime();
        assertEquals(0, submit("client.log", "client", out), () -> read(DIR.resolve("client.log")));
        System.out.printf("yarn client mode: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertSameAsLocal(out);
        assertTrue(read(DIR.resolve("client.log")).contains("yarn"), read(DIR.resolve("client.log")));
    }

    @Test
    void clusterModeMatchesLocal() throws Exception {
        Path out = DIR.resolve("cluster");
        long t0 = System.nanoTime();
        assertEquals(0, submit("cluster.log", "cluster", out), () -> read(DIR.resolve("cluster.log")));
        System.out.printf("yarn cluster mode: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertSameAsLocal(out);
        assertTrue(read(DIR.resolve("cluster.log")).contains("final status: SUCCEEDED"),
                read(DIR.resolve("cluster.log")));
    }
}
