package org.dnispark.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.Safetensors;
import org.dnispark.image.RgbImage;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.Renormalisation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renormalisation measured, not assumed: on real photographs, every hidden layer's output standard deviations end
 * closer to the endpoints' interpolated ones than interpolation left them, exactly so (up to float rounding) for
 * rescaled chains; and interpolate records alignment and renormalisation in its manifest and metadata.
 */
class RenormalisationTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static Renormalisation.Result renormalised(String a, String b) throws Exception {
        ModelWeights wa = AlignmentTest.pth(a);
        ModelWeights wb = AlignmentTest.pth(b);
        PermutationSpec spec = ArchitectureRegistry.permutations(wa);
        ModelWeights aligned = WeightMatching.align(wa, wb, spec, 100, 1).permutation().apply(wb);
        ModelWeights mix = Interpolation.lerp(wa, aligned, 0.5, Interpolation.Options.defaults());
        List<RgbImage> photos = List.of(AlignmentTest.photo("astronaut.png", 40, 36),
                AlignmentTest.photo("coffee.png", 40, 36));
        Renormalisation.Result r = Renormalisation.apply(ArchitectureRegistry.detect(wa), spec, List.of(wa, aligned),
                new double[] {0.5, 0.5}, mix, photos);
        assertNotEquals(mix.asMap(), r.weights().asMap());
        assertEquals(mix.names(), r.weights().names());
        return r;
    }

    @Test
    void rescaledChainsReachTheirTargets() throws Exception {
        Renormalisation.Result r = renormalised("srcnn_a.pth", "srcnn_b.pth");
        assertEquals(List.of("conv1", "conv2", "conv3"), r.layers().stream().map(Renormalisation.Layer::layer).toList());
        for (Renormalisation.Layer l : r.layers()) {
            assertTrue(l.stdErrorBefore() > 0.01, l.toString());
            assertTrue(l.stdErrorAfter() < 1e-3, l.toString());
        }
        Renormalisation.Result srvgg = renormalised("srvgg_small_a.pth", "srvgg_small_b.pth");
        srvgg.layers().forEach(l -> assertTrue(l.stdErrorAfter() < 1e-3 && l.stdErrorBefore() > l.stdErrorAfter(),
                l.toString()));
    }

    @Test
    void batchNormStatisticsAreRecomputed() throws Exception {
        Renormalisation.Result r = renormalised("dncnn_small_a.pth", "dncnn_small_b.pth");
        long norms = r.layers().stream().filter(l -> l.how().startsWith("batch-norm")).count();
        assertTrue(norms >= 3, r.layers().toString());
        for (Renormalisation.Layer l : r.layers()) {
            assertTrue(l.stdErrorAfter() < 1e-3 && l.stdErrorAfter() < l.stdErrorBefore(), l.toString());
        }
    }

    @Test
    void interpolateRecordsAlignmentAndRenormalisation() throws Exception {
        Path a = TestModels.fixture("srcnn_a.pth");
        Path b = TestModels.fixture("srcnn_b.pth");
        String models = "dni.models=[\"" + a + "\", \"" + b + "\"]";
        String out = tmp.resolve("plain").toString();
        String aligned = tmp.resolve("aligned").toString();
        assertEquals(0, org.dnispark.cli.MainAccess.run("interpolate", models, "dni.interpolate.alpha=0.5",
                "dni.interpolate.output=\"" + out + "\""));
        assertEquals(0, org.dnispark.cli.MainAccess.run("interpolate", models, "dni.interpolate.alpha=0.5",
                "dni.interpolate.output=\"" + aligned + "\"", "dni.align.enabled=true", "dni.renormalise.enabled=true",
                "dni.renormalise.images=\"" + TestModels.projectRoot().resolve("demo/images") + "\"",
                "dni.renormalise.count=2", "dni.renormalise.crop=48"));
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(Path.of(aligned + ".json")));
        JsonNode alignment = manifest.at("/alignment/0");
        assertTrue(alignment.get("permutation_sha256").asText().matches("[0-9a-f]{64}"), alignment.toString());
        assertTrue(alignment.get("objective_after").asDouble() > alignment.get("objective_before").asDouble());
        JsonNode layers = manifest.at("/renormalisation/by_coefficient").elements().next();
        assertEquals(3, layers.size(), layers.toString());
        assertNotEquals(new ObjectMapper().readTree(Files.readString(Path.of(out + ".json"))).get("fingerprint"),
                manifest.get("fingerprint"));
        ModelWeights plain = Safetensors.read(Files.readAllBytes(Path.of(out + ".safetensors")), "p").weights;
        ModelWeights both = Safetensors.read(Files.readAllBytes(Path.of(aligned + ".safetensors")), "a").weights;
        assertNotEquals(plain.asMap(), both.asMap());
        assertTrue(Safetensors.read(Files.readAllBytes(Path.of(aligned + ".safetensors")), "a").metadata
                .get("dni.metadata").contains("permutation_sha256"));
    }
}
