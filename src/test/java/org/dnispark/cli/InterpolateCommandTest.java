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
import org.dnispark.provenance.Sha256;
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
        assertEquals(Sha256.hex(Files.readAllBytes(a)),
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

    @Test
    void modelChecksAndOutputPoliciesAreTheJobs() throws Exception {
        String ncnn = TestModels.upconv7("noise0_scale2.0x").toString();
        String pth = TestModels.fixture("formats/mixed_a.pth").toString();
        String out = tmp.resolve("mixed").toString();
        // an ncnn graph and a state dict: refused before anything is written, as the jobs refuse them
        IllegalArgumentException mixed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InterpolateCommand.run(org.dnispark.config.ConfigLoader.load(List.of(
                        "dni.models=[\"" + ncnn + "\", \"" + pth + "\"]", "dni.interpolate.output=\"" + out + "\""))));
        assertTrue(mixed.getMessage().contains("is an ncnn graph but") && mixed.getMessage().contains("a state dict")
                && mixed.getMessage().contains("mixed_a.pth"), mixed.getMessage());
        assertTrue(!Files.exists(Path.of(out + ".json")) && !Files.exists(Path.of(out + ".safetensors")));

        // the output policy is read strictly: a typo is a configuration error (exit 2), as for the jobs
        String b = TestModels.upconv7("noise1_scale2.0x").toString();
        String models = "dni.models=[\"" + ncnn + "\", \"" + b + "\"]";
        String target = "dni.interpolate.output=\"" + tmp.resolve("up") + "\"";
        assertEquals(2, Main.run(new String[] {"interpolate", models, target, "dni.output.if-exists=resum"}));
        // resume: a complete export of this configuration is left alone; one of another is refused, never mixed
        assertEquals(0, Main.run(new String[] {"interpolate", models, target, "dni.output.if-exists=resume"}));
        long written = Files.getLastModifiedTime(tmp.resolve("up.safetensors")).toMillis();
        java.util.Map<String, Object> again = InterpolateCommand.run(org.dnispark.config.ConfigLoader.load(List.of(
                models, target, "dni.output.if-exists=resume")));
        assertEquals(Boolean.TRUE, again.get("already_complete"));
        assertEquals(written, Files.getLastModifiedTime(tmp.resolve("up.safetensors")).toMillis());
        IllegalStateException other = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> InterpolateCommand.run(org.dnispark.config.ConfigLoader.load(List.of(models, target,
                        "dni.output.if-exists=resume", "dni.interpolate.alpha=0.25"))));
        assertTrue(other.getMessage().contains("holds a run of another configuration"), other.getMessage());

        // its manifest has the shape every command's has
        JsonNode manifest = new ObjectMapper().readTree(tmp.resolve("up.json").toFile());
        List<String> keys = new java.util.ArrayList<>();
        manifest.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.containsAll(org.dnispark.provenance.RunManifest.COMMON), keys.toString());
        assertEquals("interpolate", manifest.get("job").asText());
        assertTrue(manifest.get("git").get("commit").asText().matches("[0-9a-f]{40}|unknown"));
        assertTrue(manifest.get("versions").has("djl") && manifest.get("versions").has("pytorch"));
    }

    @Test
    void exportsAPerLayerScheduleAndSaysWhichAlphaEachLayerGot() throws Exception {
        Path a = TestModels.fixture("formats/mixed_a.pth");
        Path b = TestModels.fixture("formats/mixed_b.pth");
        String out = tmp.resolve("scheduled").toString();
        ModelWeights aw = PyTorchCheckpoint.read(Files.readAllBytes(a), "a").weights;
        ModelWeights bw = PyTorchCheckpoint.read(Files.readAllBytes(b), "b").weights;
        String first = org.dnispark.core.LayerSchedule.layers(aw).get(0);
        assertEquals(0, Main.run(new String[] {"interpolate", "dni.models=[\"" + a + "\", \"" + b + "\"]",
            "dni.interpolate.schedule=[0.2, 0.9]", "dni.schedule.rules=[{tensors = \"" + first + ".*\", alpha = 1}]",
            "dni.interpolate.output=\"" + out + "\""}));
        org.dnispark.core.LayerSchedule schedule = new org.dnispark.core.LayerSchedule(0.2, 0.9,
                List.of(new org.dnispark.core.LayerSchedule.Rule(first + ".*", 1)));
        ModelWeights expected = Interpolation.interpolate(List.of(aw, bw), schedule, Interpolation.Options.defaults());
        Safetensors.Loaded st = Safetensors.read(Files.readAllBytes(Path.of(out + ".safetensors")), "o");
        assertEquals(expected.asMap(), st.weights.asMap());
        // the first layer took b's tensors (alpha 1), bit for bit
        for (String name : aw.names()) {
            if (name.startsWith(first + ".")) {
                assertEquals(bw.get(name), st.weights.get(name), name);
            }
        }
        JsonNode meta = new ObjectMapper().readTree(st.metadata.get("dni.metadata"));
        JsonNode layers = meta.get("schedule").get("alpha_by_layer");
        assertEquals(1.0, layers.get(first).asDouble());
        List<String> names = org.dnispark.core.LayerSchedule.layers(aw);
        assertEquals(0.9, layers.get(names.get(names.size() - 1)).asDouble());
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
        assertEquals(0.2, manifest.get("schedule").get("front").asDouble());
        // a rule that matches nothing is refused as bad input (exit 2), and nothing is written
        assertEquals(2, Main.run(new String[] {"interpolate", "dni.models=[\"" + a + "\", \"" + b + "\"]",
            "dni.interpolate.schedule=[0.2, 0.9]", "dni.schedule.rules=[{tensors = \"no_such_layer.*\", alpha = 1}]",
            "dni.interpolate.output=\"" + tmp.resolve("never") + "\""}));
        assertTrue(!Files.exists(tmp.resolve("never.safetensors")));
    }
}
