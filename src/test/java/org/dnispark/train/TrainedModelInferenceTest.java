package org.dnispark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.RgbImage;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained model, read back from its file, runs in the inference runtime (built-in architecture detection, tiling,
 * grey models on RGB input) exactly as the trainer's own evaluation-mode forward pass computes it.
 */
class TrainedModelInferenceTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static void check(String arch, String expectedName, int radius) throws IOException {
        String out = dir.resolve(arch).toString();
        TrainSettings s = DenoiserTrainerTest.settings("dni.train { output = \"" + out + "\", steps = 30, "
                + "architecture = " + arch + " }");
        DenoiserTrainer.run(s, l -> { });
        ModelWeights w = DenoiserTrainerTest.model(out);
        NetworkSpec spec = ArchitectureRegistry.detect(w);
        assertEquals(expectedName, spec.name());

        int width = 45;
        int height = 38;
        float[] grey = new float[width * height];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (float) (0.5 + 0.2 * Math.sin(i * 0.07) + 0.1 * rnd.nextGaussian());
        }
        float[] rgb = new float[3 * grey.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(grey, 0, rgb, c * grey.length, grey.length);
        }
        RgbImage result;
        try (TiledPredictor p = new TiledPredictor(spec, 16, 1, null, false)) {
            p.setWeights(w);
            result = p.run(new RgbImage(width, height, rgb));
        }
        float[] expected;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (NamedTensor t : w.tensors()) {
                if (t.dtype().isFloating()) {
                    int[] sh = t.shape();
                    long[] dims = new long[sh.length];
                    for (int i = 0; i < sh.length; i++) {
                        dims[i] = sh[i];
                    }
                    params.put(t.name(), m.create(t.floatValues(), new Shape(dims)));
                }
            }
            expected = s.architecture().forward(params, m.create(grey, new Shape(1, 1, height, width)), false)
                    .toFloatArray();
        }
        // the trainer pads with zeros, the runtime replicates edges: compare where neither reaches the border
        float worst = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = radius; y < height - radius; y++) {
                for (int x = radius; x < width - radius; x++) {
                    worst = Math.max(worst, Math.abs(result.get(c, y, x) - expected[y * width + x]));
                }
            }
        }
        assertTrue(worst < 1e-5, arch + " max abs difference " + worst);
    }

    @Test
    void srcnn() throws IOException {
        check("srcnn", "SRCNN-style(conv1 9x9, conv2 1x1, conv3 9x9)", 8);
    }

    @Test
    void dncnnWithBatchNormStatistics() throws IOException {
        check("dncnn", "DnCNN(channels=1, depth=4, features=8)", 4);
    }
}
