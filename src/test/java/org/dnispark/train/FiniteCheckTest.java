package org.dnispark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.dnispark.TestModels;
import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.RgbImage;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.TiledPredictor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dni.debug.check-finite} names the first layer and operation that made a NaN or infinity, and changes nothing else. */
class FiniteCheckTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @AfterEach
    void off() {
        FiniteCheck.enable(false);
    }

    /** An SRCNN-style network (conv1 9x9x8, conv2 5x5x4, conv3 5x5) whose conv2 weights are {@code conv2Value}. */
    static ModelWeights srcnn(float conv2Value) {
        Random rnd = new Random(7);
        List<NamedTensor> t = new ArrayList<>();
        int[][] shapes = {{8, 3, 9, 9}, {4, 8, 5, 5}, {3, 4, 5, 5}};
        for (int i = 0; i < 3; i++) {
            int n = (int) NamedTensor.elementCount(shapes[i]);
            float[] w = new float[n];
            for (int j = 0; j < n; j++) {
                w[j] = i == 1 && conv2Value != 0 ? conv2Value : (float) (0.05 * rnd.nextGaussian());
            }
            t.add(NamedTensor.ofFloats("conv" + (i + 1) + ".weight", shapes[i], DType.FLOAT32, w));
            t.add(NamedTensor.ofFloats("conv" + (i + 1) + ".bias", new int[] {shapes[i][0]}, DType.FLOAT32,
                    new float[shapes[i][0]]));
        }
        return new ModelWeights("finite-check", t);
    }

    static float[] run(ModelWeights w) throws IOException {
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        try (TiledPredictor p = new TiledPredictor(ArchitectureRegistry.detect(w), 256, 1, null, false)) {
            p.setWeights(w);
            return p.run(crop).data();
        }
    }

    @Test
    void inferenceNamesTheLayerThatOverflowed() throws IOException {
        FiniteCheck.enable(true);
        float[] checked = run(srcnn(0));
        FiniteCheck.enable(false);
        assertArrayEquals(run(srcnn(0)), checked, "checking changed the output");
        FiniteCheck.enable(true);
        FiniteCheck.NonFiniteException e = assertThrows(FiniteCheck.NonFiniteException.class,
                () -> run(srcnn(3e38f)));
        assertTrue(e.getMessage().contains("layer conv2, convolution"), e.getMessage());
    }

    @Test
    void trainingStopsAtTheFirstNonFiniteArrayAndOtherwiseChangesNothing() throws IOException {
        String base = "dni.train { architecture = srcnn, steps = 6, learning-rate = 1e-3,"
                + " checkpoint-every = 1000 }\n";
        DenoiserTrainer.run(DenoiserTrainerTest.settings(base + "dni.train.output = \"" + dir.resolve("plain")
                + "\""), line -> { });
        DenoiserTrainer.run(DenoiserTrainerTest.settings(base + "dni.train.output = \"" + dir.resolve("checked")
                + "\"\ndni.debug.check-finite = true"), line -> { });
        ModelWeights plain = DenoiserTrainerTest.model(dir.resolve("plain").toString());
        ModelWeights checked = DenoiserTrainerTest.model(dir.resolve("checked").toString());
        for (NamedTensor t : plain.tensors()) {
            assertArrayEquals(t.floatValues(), checked.get(t.name()).floatValues(), t.name());
        }
        // a learning rate that overflows the weights: the check names where, before the loss is ever NaN
        FiniteCheck.NonFiniteException e = assertThrows(FiniteCheck.NonFiniteException.class,
                () -> DenoiserTrainer.run(DenoiserTrainerTest.settings(base.replace("1e-3", "1e36")
                        + "dni.train.output = \"" + dir.resolve("diverging") + "\"\ndni.debug.check-finite = true"),
                        line -> { }));
        System.out.println("diverging run: " + e.getMessage());
        assertTrue(e.getMessage().matches("dni\\.debug\\.check-finite: (layer \\S+, \\S.*|.* after .*) produced .*"),
                e.getMessage());
    }
}
