package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigFactory;

import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the models added for issue 25: interpolate writes an ONNX pair's mix as .onnx (the first graph,
 * the mixed initializers, the provenance in its metadata) beside .safetensors and .pth; correlate reads ONNX, SPAN
 * and PLKSR pairs; align refuses them naming why, before writing anything.
 */
class NewModelsCommandsTest {
    @TempDir
    Path tmp;

    static String models(String a, String b) {
        return "dni.models=[\"" + TestModels.fixture(a) + "\", \"" + TestModels.fixture(b) + "\"]";
    }

    @Test
    void interpolateWritesAnOnnxGraphWithTheMixedInitializers() throws Exception {
        String out = tmp.resolve("mix").toString();
        assertEquals(0, Main.run(new String[] {"interpolate", models("onnx_rrdb_x4_a.onnx", "onnx_rrdb_x4_b.onnx"),
            "dni.interpolate.alpha=0.3", "dni.interpolate.output=\"" + out + "\""}));
        OnnxModel a = OnnxModel.read(Files.readAllBytes(TestModels.fixture("onnx_rrdb_x4_a.onnx")), "a");
        OnnxModel b = OnnxModel.read(Files.readAllBytes(TestModels.fixture("onnx_rrdb_x4_b.onnx")), "b");
        byte[] written = Files.readAllBytes(Path.of(out + ".onnx"));
        OnnxModel mix = OnnxModel.read(written, "mix.onnx");
        assertEquals(List.of(), a.differences(mix));
        ModelWeights expected = Interpolation.lerp(a.weights(), b.weights(), 0.3, Interpolation.Options.defaults());
        assertEquals(expected.asMap(), mix.weights().asMap());
        String text = new String(written, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("dni.metadata") && text.contains("onnx_rrdb_x4_b.onnx") && text.contains("\"alpha\":0.3"),
                "provenance in metadata_props");
        assertEquals(expected.asMap(), TestModels.pth(Path.of(out + ".pth")).asMap());
        String manifest = Files.readString(Path.of(out + ".json"));
        assertTrue(manifest.contains(out + ".onnx") && manifest.contains("\"onnx\""), manifest);
    }

    @Test
    void interpolateRefusesOnnxGraphsThatDifferBeforeWritingAnything() {
        String out = tmp.resolve("differ").toString();
        assertEquals(2, Main.run(new String[] {"interpolate", models("onnx_tiny_lrelu.onnx", "onnx_tiny_relu.onnx"),
            "dni.interpolate.alpha=0.5", "dni.interpolate.output=\"" + out + "\""}));
        assertFalse(Files.exists(Path.of(out + ".onnx")) || Files.exists(Path.of(out + ".json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void correlateReadsEveryNewKindOfModel() throws Exception {
        for (String[] p : new String[][] {{"onnx_rrdb_x4_a.onnx", "onnx_rrdb_x4_b.onnx"},
            {"span_x4_a.pth", "span_x4_b.pth"}, {"realplksr_x2_a.pth", "realplksr_x2_b.pth"}}) {
            Map<String, Object> r = CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(
                    models(p[0], p[1]).replace("dni.models=", "dni.models = "))));
            List<Map<String, Object>> pairs = (List<Map<String, Object>>) r.get("pairs");
            assertTrue(((String) pairs.get(0).get("verdict")).startsWith("correlated"), p[0] + ": " + pairs.get(0));
        }
    }

    @Test
    void alignRefusesWhatItCannotAlignNamingWhy() {
        for (String[] p : new String[][] {{"onnx_rrdb_x4_a.onnx", "onnx_rrdb_x4_b.onnx"},
            {"span_x4_a.pth", "span_x4_b.pth"}, {"plksr_ccm_x4_a.pth", "plksr_ccm_x4_b.pth"}}) {
            Path out = tmp.resolve("aligned-" + p[0]);
            assertEquals(2, Main.run(new String[] {"align", models(p[0], p[1]), "dni.align.output=\"" + out + "\""}),
                    p[0]);
            assertFalse(Files.exists(Path.of(out + ".json")), p[0]);
        }
    }
}
