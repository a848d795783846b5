package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.TorchScriptArchive;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The general path: TorchScript modules (src/test/python/make_torchscript_fixtures.py) with parameters and batch
 * norm buffers read, interpolated and run with DJL, against PyTorch's outputs.
 */
class TorchScriptTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static TorchScriptArchive archive(String name) throws IOException {
        return TorchScriptArchive.read(Files.readAllBytes(TestModels.fixture(name)), name);
    }

    static void check(TorchScriptArchive template, ModelWeights w, String fixture) {
        NetworkSpec spec = TorchScriptNetwork.spec(template);
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        try (TiledPredictor p = new TiledPredictor(spec, 16, 1, null, false)) {
            p.setWeights(w);
            float diff = TestModels.maxAbsDiff(p.run(crop).data(), TestModels.readF32(TestModels.fixture(fixture)));
            assertTrue(diff < 1e-4, "max abs error " + diff);
        }
    }

    @Test
    void parametersAndBuffersAreReadInterpolatedAndRun() throws IOException {
        TorchScriptArchive a = archive("ts_a.pt");
        TorchScriptArchive b = archive("ts_b.pt");
        assertTrue(a.weights().contains("bn.running_mean") && a.weights().contains("bn.running_var"));
        assertEquals(501L, a.weights().get("bn.num_batches_tracked").longValues()[0]);
        assertTrue(TorchScriptArchive.isTorchScript(Files.readAllBytes(TestModels.fixture("ts_a.pt"))));
        assertTrue(!TorchScriptArchive.isTorchScript(Files.readAllBytes(TestModels.fixture("formats/mixed_a.pth"))));
        assertEquals(1, TorchScriptNetwork.spec(a).geometry().scale());
        check(a, a.weights(), "ts_a_astronaut.f32");
        check(a, b.weights(), "ts_b_astronaut.f32");
        check(a, Interpolation.lerp(a.weights(), b.weights(), 0.3, Interpolation.Options.defaults()),
                "ts_mix0.3_astronaut.f32");
    }
}
