package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.config.ImageJobSettings;
import org.dnispark.image.ImageCodec;
import org.dnispark.runtime.Engines;
import org.dnispark.storage.Storage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both jobs against a real S3-compatible server (s3proxy in its own process, started by jobs/s3proxy.sh): models,
 * images and outputs all on s3a://, read back and compared with a local run; no credential in any output.
 */
// Bounded: these tests start processes; a hang must fail the build, not stall it.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("spark")
@Tag("peer")
class ObjectStorageJobsTest {
    static final String ACCESS = org.dnispark.TestCredentials.ACCESS_KEY;
    static final String SECRET = org.dnispark.TestCredentials.SECRET_KEY;
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    @TempDir
    static Path tmp;
    static int port;
    static SparkSession spark;
    static Configuration conf;

    static int script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "jobs/s3proxy.sh"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("s3proxy-script.log").toFile());
        pb.environment().put("S3PROXY_PORT", Integer.toString(port));
        pb.environment().put("S3PROXY_DIR", tmp.resolve("s3proxy").toString());
        pb.environment().put("AWS_ACCESS_KEY_ID", ACCESS);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", SECRET);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jobs/s3proxy.sh " + args[0] + " timed out");
        }
        return p.exitValue();
    }

    static String[] s3Settings() {
        return new String[] {
            "dni.spark.hadoop.\"fs.s3a.endpoint\"=\"http://127.0.0.1:" + port + "\"",
            "dni.spark.hadoop.\"fs.s3a.endpoint.region\"=us-east-1",
            "dni.spark.hadoop.\"fs.s3a.path.style.access\"=true",
            "dni.spark.hadoop.\"fs.s3a.connection.ssl.enabled\"=false",
            "dni.spark.hadoop.\"fs.s3a.access.key\"=" + ACCESS,
            "dni.spark.hadoop.\"fs.s3a.secret.key\"=" + SECRET,
            "dni.spark.hadoop.\"fs.s3a.aws.credentials.provider\"="
                    + "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            // Fail fast when the store is down (the outage test), instead of S3A's minutes of retries.
            "dni.spark.hadoop.\"fs.s3a.retry.limit\"=1",
            "dni.spark.hadoop.\"fs.s3a.retry.interval\"=100ms",
            "dni.spark.hadoop.\"fs.s3a.attempts.maximum\"=1",
            "dni.spark.hadoop.\"fs.s3a.connection.establish.timeout\"=2s",
        };
    }

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(0, script("start"), () -> read(tmp.resolve("s3proxy-script.log")));
        // Buckets are created through the S3 API (the CLI's bucket command, with the AWS SDK).
        List<String> bucketArgs = new ArrayList<>(List.of("bucket", "dni-test"));
        bucketArgs.addAll(List.of(s3Settings()));
        assertEquals(0, org.dnispark.cli.MainAccess.run(bucketArgs.toArray(new String[0])));
        Engines.configure(1);
        spark = org.dnispark.TestSpark.local("dni-s3-test");
        conf = new Configuration();
        for (String a : s3Settings()) {
            String kv = a.substring("dni.spark.hadoop.".length());
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq).replace("\"", ""), kv.substring(eq + 1).replace("\"", ""));
        }
        // Inputs: two demo photos and a broken file; models: one pair of upconv_7 files.
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        Files.write(images.resolve("coffee.png"), ImageCodec.encodePng(
                TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(30, 30, 80, 64)));
        Files.write(images.resolve("hubble.png"), ImageCodec.encodePng(
                TestModels.readImage(TestModels.demoImage("hubble.png")).cropReplicate(0, 0, 64, 72)));
        Files.writeString(images.resolve("broken.jpg"), "not a jpeg");
        put(images.toString(), "s3a://dni-test/in/images");
        for (String m : List.of("noise1", "noise2")) {
            for (String ext : List.of(".param", ".bin")) {
                put(TestModels.cache().resolve(UPCONV + m + "_scale2.0x_model" + ext).toString(),
                        "s3a://dni-test/models/" + m + ext);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        assertEquals(0, script("stop"));
    }

    static void put(String local, String remote) throws IOException {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(local);
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(remote);
        assertTrue(FileUtil.copy(Storage.fs(src, conf), src, Storage.fs(dst, conf), dst, false, true, conf));
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static <T extends ImageJobSettings> T settings(Job job, String modelA, String modelB, String images,
            String... more) {
        List<String> args = new ArrayList<>(List.of(
                "dni.models=[\"" + modelA + "\", \"" + modelB + "\"]",
                "dni.input.images=\"" + images + "\"",
                "dni.degradation=[{type=bicubic-down}, {type=jpeg, quality=45}]",
                "dni.model-cache=\"" + TestModels.cache() + "\"",
                "dni.sweep.alphas=[0, 0.4, 1]", "dni.transition.alphas=[0, 1]"));
        args.addAll(List.of(s3Settings()));
        args.addAll(List.of(more));
        return TestJobs.settings(job, ConfigLoader.load(args));
    }

    @Test
    void anOutageFailsClearlyLeavesNoFinishedRunAndARerunCompletes() throws Exception {
        put(TestModels.demoImage("astronaut.png").toString(), "s3a://dni-test/in/big/astronaut.png");
        put(TestModels.demoImage("chelsea.png").toString(), "s3a://dni-test/in/big/chelsea.png");
        String target = "s3a://dni-test/out/outage";
        String[] args = {"dni.transition.output=" + target, "dni.transition.alphas=[0, 0.2, 0.4, 0.6, 0.8, 1]",
            "dni.spark.partitions=2"};
        // Stop the store as soon as the first inference task has written a frame (listing comes before it).
        java.util.concurrent.atomic.AtomicReference<Thread> stopThread = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.Set<Integer> inference = java.util.concurrent.ConcurrentHashMap.newKeySet();
        org.apache.spark.scheduler.SparkListener stopper = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
                // the inference job (a listing this small is put in order on the driver, before it: no sampling job)
                if (String.valueOf(start.properties().getProperty("spark.job.description")).contains(": inference")) {
                    inference.add(TestSparkListeners.resultStage(start));
                }
            }

            @Override
            public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart e) {
                if (!inference.contains(e.stageId())) {
                    return;
                }
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(500);
                        script("stop");
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                });
                if (stopThread.compareAndSet(null, t)) {
                    t.setDaemon(true);
                    t.start();
                }
            }
        };
        spark.sparkContext().addSparkListener(stopper);
        // The outage lands in a task (JobFailedException) or in the driver's own writes (UncheckedIOException),
        // depending on timing; either way the run fails, naming the s3a:// file and the refused connection.
        RuntimeException failure;
        try {
            failure = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> TransitionJob.run(spark, settings(Job.TRANSITION, "s3a://dni-test/models/noise1",
                            "s3a://dni-test/models/noise2", "s3a://dni-test/in/big", args)));
        } finally {
            spark.sparkContext().removeSparkListener(stopper);
        }
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        assertTrue(chain.toString().contains("s3a://dni-test/") && chain.toString().contains("Connection refused"),
                chain.toString());
        assertFalse(chain.toString().contains(SECRET), "secret in error message");
        assertTrue(failure instanceof JobFailedException || failure instanceof java.io.UncheckedIOException,
                failure.toString());
        assertTrue(failure.getMessage().contains("s3a://dni-test/out/_dni-staging-"), failure.getMessage());

        stopThread.get().join(60_000); // the stop must be over before the store comes back
        assertEquals(0, script("start"));
        // Nothing is visible as a finished run: no target folder, so no _SUCCESS.
        assertFalse(Storage.exists(target, conf));
        assertFalse(Storage.exists(target + "/_SUCCESS", conf));
        Map<String, Object> rerun = TransitionJob.run(spark, settings(Job.TRANSITION,
                "s3a://dni-test/models/noise1", "s3a://dni-test/models/noise2", "s3a://dni-test/in/big", args));
        assertEquals(12L, ((Number) rerun.get("frames")).longValue());
        assertTrue(Storage.exists(target + "/_SUCCESS", conf));
        assertTrue(Storage.exists(target + "/strips/astronaut.png", conf));
    }

    @Test
    void aPublishedRunLeavesNoEmptyPrefixBehind() throws IOException {
        // s3proxy's filesystem backend can keep an empty folder under the staging prefix (a committer's _temporary
        // whose objects were deleted out of order); S3A lists it but finds nothing to delete
        org.dnispark.storage.RunOutput out = new org.dnispark.storage.RunOutput("s3a://dni-test/out/phantom",
                org.dnispark.storage.RunOutput.Policy.REFUSE, conf);
        out.openStaging("20260101T000000Z-abcdef01");
        Storage.writeAtomically(out.file("result.txt"), "ok".getBytes(StandardCharsets.UTF_8), conf);
        Path phantom = tmp.resolve("s3proxy/data/dni-test/out/_dni-staging-20260101T000000Z-abcdef01-phantom/"
                + "x.parquet/_temporary/0");
        Files.createDirectories(phantom);
        out.commit();
        assertEquals("ok", new String(Storage.readAll("s3a://dni-test/out/phantom/result.txt", conf),
                StandardCharsets.UTF_8));
        FileSystem fs = Storage.fs(new org.apache.hadoop.fs.Path("s3a://dni-test/out/"), conf);
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path("s3a://dni-test/out/"))) {
            assertFalse(st.getPath().getName().startsWith("_dni-"), "visible: " + st.getPath());
        }
        assertFalse(Files.exists(tmp.resolve("s3proxy/data/dni-test/out/_dni-staging-20260101T000000Z-abcdef01-"
                + "phantom")), "the empty folder stayed on the server");
    }

    @Test
    void jobsReadAndWriteObjectStorageAndMatchALocalRun() throws IOException {
        SweepJob.run(spark, settings(Job.SWEEP, "s3a://dni-test/models/noise1",
                "s3a://dni-test/models/noise2", "s3a://dni-test/in/images", "dni.sweep.output=s3a://dni-test/out/sweep"));
        TransitionJob.run(spark, settings(Job.TRANSITION, "s3a://dni-test/models/noise1",
                "s3a://dni-test/models/noise2", "s3a://dni-test/in/images",
                "dni.transition.output=s3a://dni-test/out/transition"));
        Path local = tmp.resolve("local-sweep");
        SweepJob.run(spark, settings(Job.SWEEP, UPCONV + "noise1_scale2.0x_model",
                UPCONV + "noise2_scale2.0x_model", "s3a://dni-test/in/images", "dni.sweep.output=\"" + local + "\""));

        // Read everything back from the object store.
        assertTrue(Storage.exists("s3a://dni-test/out/sweep/_SUCCESS", conf));
        assertTrue(Storage.exists("s3a://dni-test/out/transition/_SUCCESS", conf));
        String remoteCsv = new String(Storage.readAll("s3a://dni-test/out/sweep/psnr.csv", conf),
                StandardCharsets.UTF_8);
        assertEquals(Files.readString(local.resolve("psnr.csv")), remoteCsv);
        assertEquals(1 + 2 * 3, remoteCsv.split("\n").length);
        String rejected = new String(Storage.readAll("s3a://dni-test/out/sweep/rejected.csv", conf),
                StandardCharsets.UTF_8);
        assertTrue(rejected.contains("broken"), rejected);
        assertEquals(6, spark.read().parquet("s3a://dni-test/out/sweep/psnr.parquet").count());
        byte[] frame = Storage.readAll("s3a://dni-test/out/transition/frames/hubble/01_1.0.png", conf);
        assertEquals(64, ImageCodec.decode(frame, "frame").width()); // 64 px crop, down 2x, up 2x
        assertTrue(Storage.exists("s3a://dni-test/out/transition/strips/coffee.png", conf));
        String manifest = new String(Storage.readAll("s3a://dni-test/out/sweep/manifest.json", conf),
                StandardCharsets.UTF_8);
        assertTrue(manifest.contains("s3a://dni-test/models/noise2.bin"), manifest);

        // A job configuration read from the object store itself, with the store's settings from the command line.
        Storage.writeAtomically("s3a://dni-test/conf/sweep.conf", ("dni.sweep.alphas = [0, 0.25, 1]\n"
                + "dni.sweep.output = \"s3a://dni-test/out/from-conf\"\n").getBytes(StandardCharsets.UTF_8), conf);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(s3Settings()));
        args.addAll(java.util.List.of("--config", "s3a://dni-test/conf/sweep.conf"));
        com.typesafe.config.Config remote = org.dnispark.config.ConfigLoader.load(args);
        assertEquals(java.util.List.of(0.0, 0.25, 1.0), remote.getDoubleList("dni.sweep.alphas"));
        assertEquals("s3a://dni-test/out/from-conf", remote.getString("dni.sweep.output"));

        // No staging folder is left next to the outputs.
        FileSystem fs = Storage.fs(new org.apache.hadoop.fs.Path("s3a://dni-test/"), conf);
        RemoteIterator<LocatedFileStatus> all = fs.listFiles(new org.apache.hadoop.fs.Path("s3a://dni-test/out"), true);
        List<String> names = new ArrayList<>();
        StringBuilder everything = new StringBuilder();
        while (all.hasNext()) {
            LocatedFileStatus st = all.next();
            names.add(st.getPath().toString());
            if (st.getLen() < 5_000_000) {
                everything.append(new String(Storage.readAll(st.getPath().toString(), conf), StandardCharsets.ISO_8859_1));
            }
        }
        assertFalse(names.stream().anyMatch(n -> n.contains("_dni-staging")), names.toString());

        // No credential in any output (read back from the store) nor in the server's own files.
        assertFalse(everything.toString().contains(SECRET), "secret key found in outputs");
        assertFalse(everything.toString().contains(ACCESS), "access key found in outputs");
        try (Stream<Path> files = Files.walk(local)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(SECRET) || text.contains(ACCESS), "credential in " + p);
            }
        }
    }
}
