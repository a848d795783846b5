package org.dnispark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSIM against scikit-image's structural_similarity configured as BasicSR computes it (Debian's python3-skimage,
 * src/test/python/ssim_peer.py), on the demo photos against JPEG-degraded and noisy versions of themselves.
 */
@Tag("peer")
class SsimTest {
    static final String PYTHON = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";

    @Test
    void identicalImagesScoreOneAndSizesAreChecked() {
        RgbImage img = TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(0, 0, 40, 30);
        assertEquals(1.0, Ssim.rgb(img, img, 0), 1e-12);
        assertEquals(1.0, Ssim.y(img, img, 4), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Ssim.rgb(img, img, 12));
    }

    @Test
    void matchesScikitImageOnRealImages(@TempDir Path tmp) throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import skimage").start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            ok = false;
        }
        if (System.getenv("CI") != null) {
            assertTrue(ok, "CI must have python3-skimage (see .ci/run)");
        }
        assumeTrue(ok, "python3 with scikit-image is not installed");
        int checked = 0;
        for (String name : List.of("coffee.png", "chelsea.png", "astronaut.png", "hubble.png")) {
            RgbImage clean = TestModels.readImage(TestModels.demoImage(name));
            for (DegradationStep step : List.of(DegradationStep.jpeg(20),
                    DegradationStep.gaussianNoise(25, true))) {
                RgbImage degraded = step.apply(clean, 1, 20190616L);
                Path a = tmp.resolve("a.png");
                Path b = tmp.resolve("b.png");
                Files.write(a, ImageCodec.encodePng(clean));
                Files.write(b, ImageCodec.encodePng(degraded));
                for (int crop : List.of(0, 4)) {
                    Process p = new ProcessBuilder(PYTHON, "src/test/python/ssim_peer.py", a.toString(), b.toString(),
                            Integer.toString(crop)).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
                    JsonNode peer = new ObjectMapper().readTree(out.lines().reduce((x, y) -> y).orElse(""));
                    double rgb = Ssim.rgb(degraded, clean, crop);
                    double y = Ssim.y(degraded, clean, crop);
                    assertEquals(peer.get("rgb").asDouble(), rgb, 1e-4, name + " " + step + " rgb");
                    assertEquals(peer.get("y").asDouble(), y, 1e-4, name + " " + step + " y");
                    assertTrue(rgb < 0.99 && rgb > 0.1, name + ": " + rgb);
                    System.out.printf("%s %s crop %d: SSIM rgb %.6f (skimage %.6f), y %.6f (skimage %.6f)%n", name,
                            step, crop, rgb, peer.get("rgb").asDouble(), y, peer.get("y").asDouble());
                    checked++;
                }
            }
        }
        assertEquals(16, checked);
    }
}
