package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import ai.djl.Device;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.OnnxModel;
import org.dnispark.image.RgbImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ONNX graphs exported by PyTorch from upstream networks (src/test/python/make_onnx_fixtures.py: xinntao/ESRGAN's
 * RRDBNet, spandrel's SPAN), run by ONNX Runtime through DJL: each endpoint equals PyTorch's output, the
 * interpolated initializers equal PyTorch's interpolated model, and the written .onnx file, read back, runs the same.
 */
class OnnxNetworkTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static OnnxModel onnx(String name) throws IOException {
        return OnnxModel.read(Files.readAllBytes(TestModels.fixture(name)), name);
    }

    /** The relative max abs error of {@code spec} with {@code w} against a fixture, on the crop's top-left w x h. */
    static double error(NetworkSpec spec, ModelWeights w, String fixture, int width, int height) {
        RgbImage crop = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        RgbImage in = width == crop.width() && height == crop.height() ? crop : crop.crop(0, 0, width, height, false);
        float[] ref = TestModels.readF32(TestModels.fixture(fixture));
        try (TiledPredictor p = new TiledPredictor(spec, 64, 1, null, false)) {
            p.setWeights(w);
            double err = TestModels.relativeError(p.run(in).data(), ref);
            TestModels.reportError(spec.name(), fixture, 256, err);
            return err;
        }
    }

    @Test
    void rrdbNetGraphMatchesPyTorchAtBothEndpointsAndTheMix() throws IOException {
        OnnxModel a = onnx("onnx_rrdb_x4_a.onnx");
        OnnxModel b = onnx("onnx_rrdb_x4_b.onnx");
        assertEquals(java.util.List.of(), a.differences(b));
        NetworkSpec spec = OnnxNetwork.spec(a);
        assertEquals(4, spec.geometry().scale());
        assertTrue(spec.geometry().globalStatistics(), "an arbitrary graph runs on the whole image");
        assertTrue(error(spec, a.weights(), "onnx_rrdb_x4_a_astronaut.f32", 12, 10) < 1e-5);
        assertTrue(error(spec, b.weights(), "onnx_rrdb_x4_b_astronaut.f32", 12, 10) < 1e-5);
        ModelWeights mix = Interpolation.lerp(a.weights(), b.weights(), 0.3, Interpolation.Options.defaults());
        assertTrue(error(spec, mix, "onnx_rrdb_x4_mix0.3_astronaut.f32", 12, 10) < 1e-5);

        // the exported file: the first graph with the mixed initializers and the metadata, read back as data
        byte[] written = a.withWeights(mix, Map.of("dni.metadata", "{\"alpha\": 0.3}"));
        OnnxModel back = OnnxModel.read(written, "mix.onnx");
        assertEquals(java.util.List.of(), a.differences(back));
        assertEquals(mix.names(), back.weights().names());
        assertTrue(error(OnnxNetwork.spec(back), back.weights(), "onnx_rrdb_x4_mix0.3_astronaut.f32", 12, 10) < 1e-5);
        assertTrue(new String(written, java.nio.charset.StandardCharsets.UTF_8).contains("{\"alpha\": 0.3}"));
    }

    @Test
    void spanGraphMatchesPyTorch() throws IOException {
        OnnxModel a = onnx("onnx_span_x2_a.onnx");
        OnnxModel b = onnx("onnx_span_x2_b.onnx");
        NetworkSpec spec = OnnxNetwork.spec(a);
        assertEquals(2, spec.geometry().scale());
        assertTrue(error(spec, a.weights(), "onnx_span_x2_a_astronaut.f32", 40, 36) < 1e-5);
        assertTrue(error(spec, b.weights(), "onnx_span_x2_b_astronaut.f32", 40, 36) < 1e-5);
        ModelWeights mix = Interpolation.lerp(a.weights(), b.weights(), 0.4, Interpolation.Options.defaults());
        // the graph holds SPAN's fused convolutions, so its interpolation is that of the fused network ...
        double fused = error(spec, mix, "onnx_span_x2_mixfused0.4_astronaut.f32", 40, 36);
        assertTrue(fused < 1e-5, "fused " + fused);
        // ... which is near, but not equal to, upstream's interpolation of the branch tensors
        double upstream = error(spec, mix, "onnx_span_x2_mix0.4_astronaut.f32", 40, 36);
        assertTrue(upstream > 1e-5 && upstream < 1e-2, "state-dict interpolation differs by " + upstream);
    }

    @Test
    void sessionOptionsNeverNameACustomOperatorLibrary() {
        for (Device d : new Device[] {Device.cpu(), Device.gpu(0)}) {
            Map<String, String> o = OnnxNetwork.sessionOptions(d);
            assertTrue(o.keySet().stream().noneMatch(k -> k.toLowerCase(java.util.Locale.ROOT).contains("custom")), o
                    .toString());
        }
    }
}
