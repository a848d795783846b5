package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.sql.SparkSession;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.SweepSettings;
import org.dnispark.image.ImageCodec;
import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's progress lines: they appear while tasks run (from heartbeats), rise, and end at 100 %. */
@Tag("spark")
class ProgressTest {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    static final Pattern LINE = Pattern.compile("dni: sweep: (\\d+)/(\\d+) images, (\\d+)/(\\d+) inferences "
            + "\\(([\\d.]+) %\\)");

    @Test
    void aSweepPrintsRisingProgressThatEndsAtAHundredPercent(@TempDir Path tmp) throws IOException {
        assertEquals("dni: sweep: 3/8 images, 9/24 inferences (37.5 %), 1.50 inferences/s, 6s elapsed, about 10s left",
                ProgressReporter.line("sweep", 3, 8, 9, 24, 6000));
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        for (String n : List.of("coffee", "chelsea", "astronaut", "hubble")) {
            for (int k = 0; k < 2; k++) {
                Files.write(images.resolve(n + k + ".png"), ImageCodec.encodePng(
                        TestModels.readImage(TestModels.demoImage(n + ".png")).cropReplicate(40 * k, 30, 192, 184)));
            }
        }
        Files.writeString(images.resolve("broken.png"), "nope");
        Engines.configure(1);
        // one task at a time, heartbeats every 500 ms: a task of several images reports before it ends
        SparkSession spark = SparkSession.builder().master("local[1]").appName("dni-progress")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.executor.heartbeatInterval", "500ms")
                .getOrCreate();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            SweepJob.run(spark, SweepSettings.from(ConfigLoader.load(List.of(
                    "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + UPCONV + "noise2_scale2.0x_model\"]",
                    "dni.model-cache=\"" + TestModels.cache() + "\"", "dni.input.images=\"" + images + "\"",
                    "dni.degradation=[{type=bicubic-down}]", "dni.sweep.alphas=[0, 0.5, 1]",
                    "dni.spark.partitions=1", "dni.inference.block-images=2", "dni.spark.progress-interval=300ms",
                    "dni.sweep.output=\"" + tmp.resolve("out") + "\""))));
        } finally {
            System.setErr(err);
            spark.stop();
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().filter(l -> l.startsWith("dni: sweep: ")).toList();
        System.out.println(String.join("\n", lines));
        assertTrue(lines.contains("dni: sweep: loading models") && lines.contains("dni: sweep: statistics and reports"), text);
        List<double[]> progress = lines.stream().map(LINE::matcher).filter(Matcher::find)
                .map(m -> new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(5))}).toList();
        assertTrue(progress.size() >= 2, lines.toString());
        // while the one task ran, at least one line between 0 and 100 %, from heartbeats alone
        assertTrue(progress.stream().anyMatch(p -> p[1] > 0 && p[1] < 100), lines.toString());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[1] >= progress.get(i - 1)[1], "progress went back: " + lines);
        }
        double[] last = progress.get(progress.size() - 1);
        assertEquals(100.0, last[1], 0.0, lines.toString());
        assertEquals(9, (int) last[0]); // the broken image counts as done
    }
}
