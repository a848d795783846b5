package org.dnispark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.dnispark.TestModels;
import org.dnispark.image.MatlabResize;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NIQE on real photographs: a model fitted on eight of scikit-image's photographs scores another (astronaut) as
 * more natural than its blurred (bicubic x4 down and up) and noisy versions; the moment-matching fits recover known
 * distributions.
 */
@Tag("peer")
class NiqeTest {
    static RgbImage photo(String name) {
        return TestModels.readImage(TestModels.demoImage(name));
    }

    /** scikit-image's sample photographs (Debian python3-skimage, which CI installs for the SSIM peer too). */
    static Path skimageData() throws Exception {
        Process p = new ProcessBuilder(SsimTest.PYTHON, "-c", "import os, skimage.data as d; "
                + "print(os.path.dirname(d.__file__))").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isDirectory(Path.of(out));
        if (System.getenv("CI") != null) {
            assertTrue(ok, "CI must have python3-skimage (see .ci/run): " + out);
        }
        assumeTrue(ok, "python3 with scikit-image is not installed");
        return Path.of(out);
    }

    @Test
    void blurAndNoiseScoreWorseThanThePhotograph() throws Exception {
        Path data = skimageData();
        List<RgbImage> pristine = new ArrayList<>();
        for (String f : List.of("rocket.jpg", "motorcycle_left.png", "grass.png", "gravel.png", "brick.png",
                "coins.png", "chelsea.png", "coffee.png")) {
            pristine.add(TestModels.readImage(data.resolve(f)));
        }
        Niqe.Model model = Niqe.fit(pristine);
        assertEquals(8, model.images());
        assertTrue(model.blocks() > 40, "sharp blocks " + model.blocks());
        // astronaut (512 x 512) is not among them
        RgbImage clean = TestModels.readImage(data.resolve("astronaut.png"));
        RgbImage blurred = MatlabResize.upscale(MatlabResize.downscale(clean.modCrop(4), 4), 4);
        float[] d = clean.data().clone();
        Random rnd = new Random(1);
        for (int i = 0; i < d.length; i++) {
            d[i] += (float) (rnd.nextGaussian() * 15 / 255);
        }
        RgbImage noisy = new RgbImage(clean.width(), clean.height(), d);
        double sClean = Niqe.score(clean, model);
        double sBlur = Niqe.score(blurred, model);
        double sNoise = Niqe.score(noisy, model);
        assertTrue(sClean < sBlur && sClean < sNoise, "clean " + sClean + ", blurred " + sBlur + ", noisy " + sNoise);
        // deterministic
        assertEquals(sClean, Niqe.score(clean, model), 0);
    }

    @Test
    void theFitsRecoverKnownShapes() {
        Random rnd = new Random(7);
        double[] gauss = new double[200_000];
        double[] laplace = new double[gauss.length];
        for (int i = 0; i < gauss.length; i++) {
            gauss[i] = 2 * rnd.nextGaussian();
            double u = rnd.nextDouble() - 0.5;
            laplace[i] = -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
        }
        double[] g = Niqe.ggd(gauss);
        assertEquals(2.0, g[0], 0.05);
        assertEquals(4.0, g[1], 0.05);
        assertEquals(1.0, Niqe.ggd(laplace)[0], 0.05);
        double[] a = Niqe.aggd(gauss);
        assertEquals(2.0, a[0], 0.05);
        assertEquals(0.0, a[1], 0.05);
        assertEquals(a[2], a[3], 0.1);
        // a right-skewed sample: larger right deviation, positive mean
        double[] skewed = new double[gauss.length];
        for (int i = 0; i < skewed.length; i++) {
            skewed[i] = gauss[i] > 0 ? 2 * gauss[i] : gauss[i];
        }
        double[] s = Niqe.aggd(skewed);
        assertTrue(s[3] > 3 * s[2] && s[1] > 0, java.util.Arrays.toString(s));
    }

    @Test
    void imagesSmallerThanABlockAreRefused() {
        RgbImage tiny = photo("coffee.png").cropReplicate(0, 0, 64, 200);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Niqe.fit(List.of(tiny)));
        assertTrue(e.getMessage().contains("64x200") && e.getMessage().contains("96x96"), e.getMessage());
    }
}
