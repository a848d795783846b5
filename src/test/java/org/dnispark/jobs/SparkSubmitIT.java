package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
 * The application jar submitted with Spark's own submit entry point (jobs/spark-submit) to a standalone cluster
 * whose class path is Spark and Hadoop only (target/spark-lib: no DJL, no project classes), in client and in
 * cluster deploy mode. Results must equal a local run byte for byte, and Spark settings given to spark-submit must
 * reach the executors.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SparkSubmitIT {
    static final Path DIR = Paths.get("target/it-submit").toAbsolutePath();
    static final Path ROOT = Paths.get("").toAbsolutePath();
    static int port;
    static Path local;

    static int cluster(String action) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "jobs/cluster.sh", action).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(DIR.resolve("cluster-script.log").toFile()));
        pb.environment().put("CLUSTER_DIR", DIR.resolve("cluster").toString());
        pb.environment().put("SPARK_MASTER_PORT", Integer.toString(port));
        pb.environment().put("WORKER_MEMORY", "1500m");
        pb.environment().put("CLUSTER_JARS", ROOT.resolve("target/spark-lib").toString());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jobs/cluster.sh " + action + " timed out");
        }
        return p.exitValue();
    }

    /** The demo sweep at three alphas, every path absolute (a cluster-mode driver runs in a worker's folder). */
    static List<String> sweep(Path out) {
        return List.of("sweep", "--config", ROOT.resolve("conf/demo.conf").toString(),
                "dni.model-cache=\"" + TestModels.cache().toAbsolutePath() + "\"",
                "dni.input.images=\"" + ROOT.resolve("demo/images") + "\"", "dni.sweep.alphas=[0, 0.5, 1]",
                "dni.spark.partitions=4", "dni.sweep.output=\"" + out + "\"");
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        local = DIR.resolve("local");
        org.dnispark.runtime.Engines.configure(1);
        SparkSession spark = org.dnispark.TestSpark.local("dni-submit-it");
        List<String> args = new ArrayList<>(sweep(local).subList(1, sweep(local).size()));
        args.add("dni.output.if-exists=overwrite");
        SweepJob.run(spark, TestJobs.settings(Job.SWEEP, ConfigLoader.load(args)));
        spark.stop();
        assertEquals(0, cluster("start"), () -> read(DIR.resolve("cluster-script.log")));
    }

    @AfterAll
    static void stop() throws Exception {
        assertEquals(0, cluster("stop"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static int submit(String log, List<String> submitArgs, Path out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "jobs/spark-submit", "--master",
                "spark://127.0.0.1:" + port));
        command.addAll(submitArgs);
        command.addAll(List.of("--class", "org.dnispark.cli.Main", ROOT.resolve("target/dni-spark-app.jar").toString()));
        command.addAll(sweep(out));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(DIR.resolve(log).toFile())
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "spark-submit timed out");
        return p.exitValue();
    }

    static void assertSameAsLocal(Path out) throws IOException {
        for (String f : List.of("psnr.csv", "per_alpha.csv", "rejected.csv")) {
            assertEquals(Files.readString(local.resolve(f)), Files.readString(out.resolve(f)), f);
        }
    }

    /** Files of the cluster's work folders (executor and driver logs) whose path contains {@code part}. */
    static List<Path> workFiles(String part) throws IOException {
        try (Stream<Path> s = Files.walk(DIR.resolve("cluster"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().contains("/work")
                    && p.toString().contains(part) && p.getFileName().toString().equals("stderr"))
                    .collect(Collectors.toList());
        }
    }

    @Test
    void clientModeMatchesLocalAndSparkSubmitSettingsReachTheExecutors() throws Exception {
        Path out = DIR.resolve("client");
        Folders.delete(out);
        List<Path> before = workFiles("app-");
        assertEquals(0, submit("client.log", List.of("--deploy-mode", "client", "--conf", "spark.executor.memory=700m"),
                out), () -> read(DIR.resolve("client.log")));
        assertSameAsLocal(out);
        List<Path> executors = workFiles("app-");
        executors.removeAll(before);
        assertTrue(!executors.isEmpty(), "no executor logs");
        for (Path e : executors) {
            // the executor's launch command, as the worker wrote it: spark-submit's memory, not a default
            assertTrue(read(e).contains("\"-Xmx700M\""), e + ": " + read(e).lines().findFirst().orElse(""));
        }
        assertTrue(read(DIR.resolve("client.log")).contains("inferences (100.0 %)"), read(DIR.resolve("client.log")));
    }

    @Test
    void clusterModeMatchesLocal() throws Exception {
        Path out = DIR.resolve("cluster-mode");
        Folders.delete(out);
        List<Path> before = workFiles("driver-");
        assertEquals(0, submit("cluster.log", List.of("--deploy-mode", "cluster", "--driver-memory", "1g",
                "--conf", "spark.standalone.submit.waitAppCompletion=true"), out), () -> read(DIR.resolve("cluster.log")));
        assertSameAsLocal(out);
        List<Path> drivers = workFiles("driver-");
        drivers.removeAll(before);
        assertEquals(1, drivers.size(), drivers.toString());
        String driverLog = read(drivers.get(0));
        assertTrue(driverLog.contains("dni: sweep: 4/4 images, 12/12 inferences (100.0 %)"), driverLog);
    }

    /** Deletes a local output folder of an earlier build. */
    static final class Folders {
        static void delete(Path p) throws IOException {
            if (Files.exists(p)) {
                try (Stream<Path> w = Files.walk(p)) {
                    w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
