package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.dnispark.TestJobs.Job;
import org.dnispark.TestModels;
import org.dnispark.cli.MainAccess;
import org.dnispark.runtime.Engines;

/**
 * NIQE as a sweep metric (issue 26): the lowest mean picks the best, the search minimises it, the report draws it,
 * and every score equals what {@code jobs/dni niqe} gives the same output's frame under the same pristine folder.
 */
@Tag("spark")
class NiqeSweepTest {
    static SparkSession spark;

    @TempDir
    static Path tmp;
    static Path images;
    static Path pristine;

    @BeforeAll
    static void start() throws IOException {
        Engines.configure(1);
        spark = org.dnispark.TestSpark.local("dni-spark-niqe-sweep");
        images = tmp.resolve("images");
        pristine = tmp.resolve("pristine");
        Files.createDirectories(images);
        Files.createDirectories(pristine);
        // outputs of at least one 96 x 96 block; the pristine model from two other photographs
        SparkJobsTest.writePng(TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(20, 30, 128, 112),
                images.resolve("coffee.png"));
        SparkJobsTest.writePng(TestModels.readImage(TestModels.demoImage("chelsea.png")).cropReplicate(60, 40, 104,
                100), images.resolve("chelsea.png"));
        for (String p : List.of("astronaut.png", "hubble.png")) {
            Files.copy(TestModels.demoImage(p), pristine.resolve(p));
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("dni.sweep.output=\"" + out + "\"",
                "dni.input.images=\"" + images + "\"", "dni.sweep.metrics=[y, niqe]", "dni.sweep.metric=niqe",
                "dni.niqe.pristine=[\"" + pristine + "\"]"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void theLowestMeanNiqeIsBestAndEveryScoreIsTheNiqeCommands() throws IOException {
        Path out = tmp.resolve("sweep");
        SweepJob.run(spark, SparkJobsTest.settings(Job.SWEEP, args(out, "dni.sweep.alphas=[0, 0.5, 1]",
                "dni.sweep.frames=[\"*\"]").toArray(String[]::new)));
        JsonNode sum = SparkJobsTest.sweepSummary(out);
        assertEquals("niqe", sum.get("metric").asText());
        assertEquals("lower", sum.get("metric_better").asText());
        assertTrue(!sum.has("dip_below_endpoints_db"), "NIQE has no dB");
        double lowest = Double.POSITIVE_INFINITY;
        int lowestAt = -1;
        for (JsonNode c : sum.get("per_coefficient")) {
            if (c.get("mean_niqe").asDouble() < lowest) {
                lowest = c.get("mean_niqe").asDouble();
                lowestAt = c.get("index").asInt();
            }
        }
        assertEquals(lowestAt, sum.get("best").get("index").asInt());

        // the score table: image,index,label,alpha,coefficients,psnr_y,niqe
        List<String> table = SparkJobsTest.lines(out.resolve("psnr.csv"));
        assertEquals("image,index,label,alpha,coefficients,psnr_y,niqe", table.get(0));
        Map<String, String> sweepScores = new HashMap<>();
        for (String line : table.subList(1, table.size())) {
            String[] f = line.split(",");
            sweepScores.put(f[0] + "/" + String.format("%02d_%s.png", Integer.parseInt(f[1]), f[2]), f[6]);
        }
        assertEquals(6, sweepScores.size());

        // the niqe command on the frames the sweep kept: the same model, the same four decimals
        Path csv = tmp.resolve("niqe.csv");
        assertEquals(0, MainAccess.run("niqe", "dni.niqe.pristine=[\"" + pristine + "\"]", "dni.niqe.images=[\""
                + out.resolve("frames/coffee") + "\", \"" + out.resolve("frames/chelsea") + "\"]",
                "dni.niqe.output=\"" + csv + "\""));
        // its manifest, written last through the commands' lifecycle: a second run is refused, a resumed one kept
        JsonNode manifest = SparkJobsTest.JSON.readTree(tmp.resolve("niqe.json").toFile());
        assertEquals("niqe", manifest.get("job").asText());
        assertEquals(64, manifest.get("fingerprint").asText().length());
        String[] again = {"niqe", "dni.niqe.pristine=[\"" + pristine + "\"]", "dni.niqe.images=[\""
                + out.resolve("frames/coffee") + "\", \"" + out.resolve("frames/chelsea") + "\"]",
                "dni.niqe.output=\"" + csv + "\""};
        long written = Files.getLastModifiedTime(csv).toMillis();
        assertEquals(1, MainAccess.run(again), "an existing output is refused by default");
        List<String> resumed = new ArrayList<>(List.of(again));
        resumed.add("dni.output.if-exists=resume");
        assertEquals(0, MainAccess.run(resumed.toArray(String[]::new)));
        assertEquals(written, Files.getLastModifiedTime(csv).toMillis(), "a complete run of the same inputs is kept");
        List<String> command = SparkJobsTest.lines(csv);
        assertEquals(7, command.size(), command.toString());
        for (String line : command.subList(1, command.size())) {
            String[] f = line.split(",");
            String folder = f[0].substring(f[0].lastIndexOf('/') + 1);
            assertEquals(f[2], sweepScores.get(folder + ".png/" + f[1]) == null ? sweepScores.get(folder + "/" + f[1])
                    : sweepScores.get(folder + ".png/" + f[1]), line);
        }

        // the report draws it
        String page = Files.readString(out.resolve("report.html"));
        assertTrue(page.contains("data-metric=\"niqe\""), "a NIQE chart");
        assertTrue(page.contains("lower is better"));
    }

    @Test
    void theSearchMinimisesNiqe() throws IOException {
        Path out = tmp.resolve("search");
        SweepJob.run(spark, SparkJobsTest.settings(Job.SWEEP, args(out, "dni.sweep.search.method=golden",
                "dni.sweep.search.tolerance=0.15").toArray(String[]::new)));
        JsonNode search = SparkJobsTest.sweepSummary(out).get("search");
        assertEquals("minimise", search.get("goal").asText());
        double lowest = Double.POSITIVE_INFINITY;
        for (JsonNode e : search.get("evaluations")) {
            lowest = Math.min(lowest, e.get("mean").asDouble());
        }
        assertEquals(lowest, search.get("best_mean").asDouble());
        assertTrue(search.get("evaluations").size() >= 3);
    }
}
