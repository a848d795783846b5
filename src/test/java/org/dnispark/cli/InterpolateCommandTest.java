package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.storage.ModelStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpolateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportsSafetensorsAndPthWithProvenance() throws Exception {
        Path a = TestModels.fixture("formats/mixed_a.pth");
        Path bPth = TestModels.fixture("formats/mixed_b.pth");
        // Mixed source formats: B as safetensors.
        Path b = tmp.resolve("b.safetensors");
        ModelWeights bw = PyTorchCheckpoint.read(Files.readAllBytes(bPth), "b").weights;
        Files.write(b, Safetensors.write(bw, java.util.Map.of()));
        String out = tmp.resolve("mix").toString();
        String[] args = {"interpolate", "dni.models=[\"" + a + "\", \"" + b + "\"]", "dni.interpolate.alpha=0.3",
            "dni.interpolate.output=\"" + out + "\""};
        assertEquals(0, Main.run(args));

        ModelWeights expected = Interpolation.lerp(PyTorchCheckpoint.read(Files.readAllBytes(a), "a").weights, bw,
                0.3, Interpolation.Options.defaults());
        ModelWeights fromPth = PyTorchCheckpoint.read(Files.readAllBytes(Path.of(out + ".pth")), "o").weights;
        Safetensors.Loaded st = Safetensors.read(Files.readAllBytes(Path.of(out + ".safetensors")), "o");
        assertEquals(expected.asMap(), fromPth.asMap());
        assertEquals(expected.asMap(), st.weights.asMap());
        JsonNode meta = new ObjectMapper().readTree(st.metadata.get("dni.metadata"));
        assertEquals(0.3, meta.get("alpha").asDouble(), 0.0);
        assertEquals(ModelStore.sha256(Files.readAllBytes(a)),
                meta.get("sources").get(0).get("files").get(a.toString()).asText());
        assertEquals("safetensors", meta.get("sources").get(1).get("format").asText());
        assertTrue(Files.readString(Path.of(out + ".json")).contains("\"coefficients\""));

        // An existing output is refused unless overwrite is chosen; bad coefficients name the key.
        assertEquals(1, Main.run(args));
        assertEquals(0, Main.run(List.of(args[0], args[1], args[2], args[3], "dni.output.if-exists=overwrite")
                .toArray(new String[0])));
        assertEquals(2, Main.run(new String[] {"interpolate", args[1], "dni.interpolate.coefficients=[0.5, 0.6]",
            "dni.interpolate.output=\"" + tmp.resolve("x") + "\""}));
    }
}
