package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jobs/dni align end to end: what it writes for a state dict and for an ncnn graph, and that B' is B's function. */
class AlignCommandTest {
    @TempDir
    Path tmp;

    @Test
    void alignsAStateDictAndWritesItsProvenance() throws Exception {
        Path a = TestModels.fixture("srcnn_a.pth");
        Path b = TestModels.fixture("srcnn_b.pth");
        String out = tmp.resolve("b-aligned").toString();
        String[] args = {"align", "dni.models=[\"" + a + "\", \"" + b + "\"]", "dni.align.output=\"" + out + "\""};
        assertEquals(0, Main.run(args));
        ModelWeights source = PyTorchCheckpoint.read(Files.readAllBytes(b), "b").weights;
        ModelWeights st = Safetensors.read(Files.readAllBytes(Path.of(out + ".safetensors")), "o").weights;
        ModelWeights pth = PyTorchCheckpoint.read(Files.readAllBytes(Path.of(out + ".pth")), "o").weights;
        assertEquals(st.asMap(), pth.asMap());
        assertNotEquals(source.asMap(), st.asMap());
        JsonNode m = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
        assertEquals("align", m.get("job").asText());
        assertTrue(m.at("/alignment/permutation_sha256").asText().matches("[0-9a-f]{64}"));
        assertTrue(m.at("/alignment/objective_after").asDouble() > m.at("/alignment/objective_before").asDouble());
        assertEquals(2, m.get("permutation").size());
        // an existing output is refused; three models are a configuration error
        assertEquals(1, Main.run(args));
        assertEquals(2, Main.run(new String[] {"align", "dni.models=[\"" + a + "\", \"" + b + "\", \"" + a + "\"]",
            "dni.align.output=\"" + tmp.resolve("x") + "\""}));
    }

    @Test
    void alignsAnNcnnGraphThatStillComputesTheSame() throws Exception {
        Engines.configure(1);
        Path a = TestModels.upconv7("noise0_scale2.0x");
        Path b = TestModels.upconv7("scale2.0x");
        String out = tmp.resolve("scale2x-aligned").toString();
        assertEquals(0, Main.run(new String[] {"align", "dni.models=[\"" + a + "\", \"" + b + "\"]",
            "dni.align.output=\"" + out + "\""}));
        assertArrayEquals(Files.readAllBytes(Path.of(b + ".param")), Files.readAllBytes(Path.of(out + ".param")));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(Path.of(b + ".bin")),
                Files.readAllBytes(Path.of(out + ".bin"))));
        NcnnModel before = TestModels.read(b);
        NcnnModel after = NcnnModel.read(Files.readString(Path.of(out + ".param"), StandardCharsets.UTF_8),
                Files.readAllBytes(Path.of(out + ".bin")), "aligned");
        RgbImage photo = TestModels.readImage(TestModels.demoImage("hubble.png")).cropReplicate(60, 40, 64, 48);
        float[] x;
        float[] y;
        try (TiledPredictor p = new TiledPredictor(before.graph(), 1024)) {
            p.setWeights(before.weights());
            x = p.run(photo).data();
            p.setWeights(after.weights());
            y = p.run(photo).data();
        }
        float diff = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
        }
        assertTrue(diff <= 1e-5, "the aligned upconv_7 differs by " + diff);
        JsonNode m = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
        assertTrue(m.at("/summary/moved_channels").asInt() > 0);
    }
}
