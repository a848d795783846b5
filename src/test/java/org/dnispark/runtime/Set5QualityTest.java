package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.dnispark.TestModels;
import org.dnispark.image.MatlabResize;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.Test;

/**
 * End-to-end sanity of the runtime on a standard benchmark: on Set5 (x2, MATLAB bicubic down-scale, PSNR-Y with
 * crop border 2) the real upconv_7 model must clearly beat bicubic up-scaling. A wrong channel order, value range,
 * padding or deconvolution layout would not. Reads ../shared/data in place; never copies it.
 */
class Set5QualityTest {
    @Test
    void upconv7BeatsBicubicOnSet5() throws IOException {
        Path set5 = TestModels.sharedData().resolve("Set5");
        // CI always has ../shared beside the clone, so there the check must run; elsewhere it may be skipped.
        if (System.getenv("CI") != null) {
            assertTrue(Files.isDirectory(set5), set5 + " is missing on CI");
        }
        assumeTrue(Files.isDirectory(set5), "../shared/data/Set5 is not present");
        Engines.configure(1);
        List<Path> files;
        try (Stream<Path> s = Files.list(set5)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() == 5, "Set5 has " + files.size() + " images");
        NcnnModel model = TestModels.readUpconv7("noise0_scale2.0x");
        double bicubic = 0;
        double network = 0;
        try (TiledPredictor p = new TiledPredictor(model.graph(), 128)) {
            p.setWeights(model.weights());
            for (Path f : files) {
                RgbImage truth = TestModels.readImage(f).modCrop(2);
                RgbImage lr = MatlabResize.downscale(truth, 2);
                bicubic += Psnr.y(MatlabResize.upscale(lr, 2), truth, 2) / files.size();
                network += Psnr.y(p.run(lr), truth, 2) / files.size();
            }
        }
        System.out.printf("Set5 x2 PSNR-Y: bicubic %.3f dB, upconv_7 noise0 %.3f dB%n", bicubic, network);
        // Published x2 bicubic on Set5 is 33.66 dB (Y); anything near it means our resize matches MATLAB's.
        assertTrue(Math.abs(bicubic - 33.66) < 0.1, "bicubic Set5 x2 PSNR-Y " + bicubic);
        assertTrue(network > bicubic + 1.5, "upconv_7 " + network + " dB vs bicubic " + bicubic + " dB");
    }
}
