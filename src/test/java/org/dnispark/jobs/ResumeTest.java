package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
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

/** The resume policy: an interrupted run continues where it stopped and equals an undisturbed run; never mixes. */
@Tag("spark")
class ResumeTest {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path images;

    @BeforeAll
    static void start() throws IOException {
        Engines.configure(1);
        spark = org.dnispark.TestSpark.local("dni-resume");
        images = tmp.resolve("images");
        Files.createDirectories(images);
        // Eight images of about a second of work each, so that a cancellation lands while most are still queued.
        for (String n : List.of("coffee", "chelsea", "astronaut", "hubble")) {
            for (int k = 0; k < 2; k++) {
                Files.write(images.resolve(n + k + ".png"), ImageCodec.encodePng(
                        TestModels.readImage(TestModels.demoImage(n + ".png")).cropReplicate(40 * k, 30, 192, 184)));
            }
        }
        Files.writeString(images.resolve("broken.png"), "nope");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static SweepSettings settings(Path out, String policy, String alphas) {
        return SweepSettings.from(ConfigLoader.load(List.of(
                "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + UPCONV + "noise2_scale2.0x_model\"]",
                "dni.model-cache=\"" + TestModels.cache() + "\"", "dni.input.images=\"" + images + "\"",
                "dni.degradation=[{type=bicubic-down}, {type=jpeg, quality=35}]", "dni.sweep.alphas=" + alphas,
                "dni.spark.partitions=9", "dni.output.if-exists=" + policy, "dni.sweep.output=\"" + out + "\"")));
    }

    static List<String> staging() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("_dni-staging"))
                    .collect(Collectors.toList());
        }
    }

    @Test
    void anInterruptedRunResumesAndEqualsAnUndisturbedOne() throws IOException, InterruptedException {
        Path reference = tmp.resolve("reference");
        SweepJob.run(spark, settings(reference, "refuse", "[0, 0.3, 0.6, 1]"));

        Path out = tmp.resolve("resumed");
        AtomicBoolean cancelled = new AtomicBoolean();
        java.util.Set<Integer> inferenceStages = java.util.concurrent.ConcurrentHashMap.newKeySet();
        SparkListener canceller = new SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
                // the stage that runs inference and writes its results: the last stage of the inference job (the
                // listing, planning and partition-sampling stages come before it)
                if (String.valueOf(start.properties().getProperty("spark.job.description")).contains(": inference")) {
                    inferenceStages.add(TestSparkListeners.resultStage(start));
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                // the first inference task that finished images (partitions by name ranges may be empty)
                boolean finished = TestSparkListeners.added(end, "dni images") > 0;
                if (inferenceStages.contains(end.stageId()) && finished && cancelled.compareAndSet(false, true)) {
                    spark.sparkContext().cancelAllJobs();
                }
            }
        };
        spark.sparkContext().addSparkListener(canceller);
        try {
            assertThrows(JobFailedException.class,
                    () -> SweepJob.run(spark, settings(out, "resume", "[0, 0.3, 0.6, 1]")));
        } finally {
            spark.sparkContext().removeSparkListener(canceller);
        }
        assertFalse(Files.exists(out), "an interrupted run must not be published");
        // cancelled tasks run to their end: wait for them, so that the parts counted below are all there will be
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (java.util.Arrays.stream(spark.sparkContext().statusTracker().getExecutorInfos())
                .anyMatch(e -> e.numRunningTasks() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<String> kept = staging();
        assertEquals(1, kept.size(), kept.toString());
        long parts;
        try (Stream<Path> s = Files.list(tmp.resolve(kept.get(0)).resolve("parts"))) {
            parts = s.count();
        }
        System.out.println(parts + " of 9 images were checkpointed before the run was cancelled");
        assertTrue(parts >= 1 && parts < 9, parts + " of 9 images checkpointed");
        // Parts are checked, not trusted: a forged score (its checksum no longer matches) and a part that is not
        // JSON are ignored and their images computed again, so the result still equals the undisturbed run.
        List<Path> partFiles;
        try (Stream<Path> s = Files.list(tmp.resolve(kept.get(0)).resolve("parts"))) {
            partFiles = s.sorted().collect(Collectors.toList());
        }
        String part = Files.readString(partFiles.get(0));
        int rows = part.indexOf("\"rows\"");
        int digit = rows;
        while (!Character.isDigit(part.charAt(digit))) {
            digit++;
        }
        char forged = part.charAt(digit) == '1' ? '2' : '1';
        Files.writeString(partFiles.get(0), part.substring(0, digit) + forged + part.substring(digit + 1));
        long ignored = 1;
        if (partFiles.size() > 1) {
            Files.writeString(partFiles.get(1), "{not json");
            ignored = 2;
        }

        Map<String, Object> summary = SweepJob.run(spark, settings(out, "resume", "[0, 0.3, 0.6, 1]"));
        assertEquals(Files.readString(reference.resolve("psnr.csv")), Files.readString(out.resolve("psnr.csv")));
        assertEquals(Files.readString(reference.resolve("rejected.csv")),
                Files.readString(out.resolve("rejected.csv")));
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals(parts - ignored, manifest.get("images").get("resumed_from_checkpoint").asLong());
        assertFalse(Files.exists(out.resolve("parts")), "checkpoints are not published");
        assertTrue(staging().isEmpty(), staging().toString());
        assertFalse(summary.containsKey("already_complete"));

        // The same configuration again: nothing to do, the published run is left untouched.
        long before = Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis();
        Map<String, Object> again = SweepJob.run(spark, settings(out, "resume", "[0, 0.3, 0.6, 1]"));
        assertEquals(Boolean.TRUE, again.get("already_complete"));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis());

        // Another configuration onto the same output: refused, never mixed.
        String m = assertThrows(IllegalStateException.class,
                () -> SweepJob.run(spark, settings(out, "resume", "[0, 0.5, 1]"))).getMessage();
        assertTrue(m.contains("holds a run of another configuration") && m.contains("mix two runs"), m);
        assertEquals(Files.readString(reference.resolve("psnr.csv")), Files.readString(out.resolve("psnr.csv")));
        List<String> names = new ArrayList<>(staging());
        assertTrue(names.isEmpty(), names.toString());
    }
}
