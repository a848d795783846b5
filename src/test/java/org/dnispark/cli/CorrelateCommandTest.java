package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigFactory;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class CorrelateCommandTest {
    static final String U = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    @Test
    @SuppressWarnings("unchecked")
    void correlatedAndUncorrelatedPairsGetTheirVerdicts() throws Exception {
        Map<String, Object> r = CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(
                "dni.model-cache = \"" + TestModels.cache() + "\"\n"
                        + "dni.models = [\"" + U + "noise0_scale2.0x_model\", \"" + U + "noise1_scale2.0x_model\", \""
                        + U + "scale2.0x_model\"]")));
        List<Map<String, Object>> pairs = (List<Map<String, Object>>) r.get("pairs");
        assertEquals(3, pairs.size()); // two consecutive pairs and first-to-last
        double near = (Double) pairs.get(0).get("median_of_layer_medians");
        assertTrue(near >= 0.689, "noise0/noise1 " + near);
        assertTrue(((String) pairs.get(0).get("verdict")).startsWith("correlated"));
        assertEquals(7, ((List<?>) pairs.get(0).get("layers")).size());
        assertTrue((Double) pairs.get(1).get("median_of_layer_medians") < near - 0.3);
        assertTrue(CorrelateCommand.verdict(0.05).startsWith("uncorrelated"));
        assertTrue(CorrelateCommand.verdict(0.4).startsWith("weakly"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void seriesAnalysisAndReportFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String out = dir.resolve("report").toString();
        String models = "dni.models = [\"" + U + "noise0_scale2.0x_model\", \"" + U + "noise1_scale2.0x_model\", \""
                + U + "noise2_scale2.0x_model\", \"" + U + "noise3_scale2.0x_model\"]\n";
        Map<String, Object> r = CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(
                "dni.model-cache = \"" + TestModels.cache() + "\"\n" + models
                        + "dni.correlate { output = \"" + out + "\", series-alphas = [0.35, 0.7] }")));
        // consecutive pairs plus first-to-last
        assertEquals(4, ((List<?>) r.get("pairs")).size());
        List<Map<String, Object>> series = (List<Map<String, Object>>) r.get("series");
        assertEquals(2 * 7, series.size());
        for (Map<String, Object> p : series) {
            double vsMix = (Double) p.get("median_vs_interpolated");
            assertTrue(vsMix > 0.5 && vsMix <= 1.0, p.toString());
        }
        // one line per filter of every layer of every pair
        int filters = 0;
        for (Object pair : (List<?>) r.get("pairs")) {
            for (Object layer : (List<?>) ((Map<?, ?>) pair).get("layers")) {
                filters += (Integer) ((Map<?, ?>) layer).get("filters");
            }
        }
        List<String> filterLines = java.nio.file.Files.readAllLines(dir.resolve("report/filters.csv"));
        assertEquals(1 + filters, filterLines.size());
        assertTrue(filters > 4 * 7 * 16, "filters " + filters);
        for (String f : new String[] {"correlation.json", "layers.csv", "series.csv", "series.png",
            "first-layer-filters.png"}) {
            assertTrue(java.nio.file.Files.size(dir.resolve("report").resolve(f)) > 100, f);
        }
        sameThroughTheType(dir.resolve("report"));
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(dir.resolve("report/first-layer-filters.png")
                .toFile());
        // four models plus two interpolated blocks, one row of 16 colour 3x3 filters each (4 px per weight)
        assertTrue(grid.getHeight() >= 6 * (3 * 4 + 2) && grid.getWidth() >= 150 + 16 * (3 * 4 + 2),
                "grid " + grid.getWidth() + "x" + grid.getHeight());
        // a second run refuses to overwrite the report unless asked
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString("dni.model-cache = \""
                        + TestModels.cache() + "\"\n" + models + "dni.correlate { output = \"" + out + "\" }"))));
        assertTrue(e.getMessage().contains("already holds a report"), e.getMessage());
        org.dnispark.config.SettingsException bad = org.junit.jupiter.api.Assertions.assertThrows(
                org.dnispark.config.SettingsException.class, () -> CorrelateCommand.run(ConfigLoader.resolve(
                        ConfigFactory.parseString("dni.model-cache = \"" + TestModels.cache() + "\"\n" + models
                                + "dni.correlate.series-alphas = [0.5]"))));
        assertTrue(bad.getMessage().contains("series-alphas") && bad.getMessage().contains("2 alphas"),
                bad.getMessage());
    }

    @Test
    void modelChecksAndManifestAreTheJobs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String ncnn = TestModels.upconv7("noise0_scale2.0x").toString();
        String pth = TestModels.fixture("formats/mixed_a.pth").toString();
        IllegalArgumentException mixed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(
                        "dni.models = [\"" + ncnn + "\", \"" + pth + "\"]\ndni.correlate.output = \"" + dir.resolve("m")
                                + "\""))));
        assertTrue(mixed.getMessage().contains("is an ncnn graph but") && mixed.getMessage().contains("mixed_a.pth"),
                mixed.getMessage());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("m")));
        String out = dir.resolve("report").toString();
        CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString("dni.model-cache = \"" + TestModels.cache()
                + "\"\ndni.models = [\"" + U + "noise0_scale2.0x_model\", \"" + U + "noise1_scale2.0x_model\"]\n"
                + "dni.correlate.output = \"" + out + "\"")));
        com.fasterxml.jackson.databind.JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("report/manifest.json").toFile());
        List<String> keys = new java.util.ArrayList<>();
        manifest.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.containsAll(org.dnispark.provenance.RunManifest.COMMON), keys.toString());
        assertEquals(2, manifest.get("models").size());
        // nothing of the staging folder is left beside the report
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("_dni-staging")));
        }
    }

    /** An output folder that holds the models: overwrite would delete them, so the command refuses before any work. */
    @Test
    void anOutputHoldingTheModelsIsRefusedAndTheyStay(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path models = java.nio.file.Files.createDirectories(dir.resolve("models"));
        for (String n : new String[] {"noise0", "noise1"}) {
            for (String ext : new String[] {".param", ".bin"}) {
                java.nio.file.Files.copy(TestModels.cache().resolve(U + n + "_scale2.0x_model" + ext),
                        models.resolve(n + ext));
            }
        }
        String config = "dni.models = [\"" + models.resolve("noise0") + "\", \"" + models.resolve("noise1") + "\"]\n"
                + "dni.correlate.output = \"" + models + "\"\ndni.output.if-exists = overwrite";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(config))));
        assertTrue(e.getMessage().contains("dni.correlate.output") && e.getMessage().contains("holds the model")
                && e.getMessage().contains("noise0"), e.getMessage());
        assertTrue(java.nio.file.Files.exists(models.resolve("noise0.bin"))
                && java.nio.file.Files.exists(models.resolve("noise1.param")), "the models are still there");
    }

    @Test
    void eq3IsReportedBeforeAndAfterAlignment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // B is A with its hidden channels shuffled: Eq. 3 cannot see the match, alignment recovers it exactly
        java.nio.file.Path a = TestModels.fixture("srcnn_a.pth");
        org.dnispark.core.ModelWeights wa = org.dnispark.formats.PyTorchCheckpoint.read(
                java.nio.file.Files.readAllBytes(a), "a").weights;
        org.dnispark.core.ModelWeights shuffled = org.dnispark.align.Permutation.random(
                org.dnispark.arch.ArchitectureRegistry.permutations(wa), 4).apply(wa);
        java.nio.file.Path b = dir.resolve("shuffled.safetensors");
        java.nio.file.Files.write(b, org.dnispark.formats.Safetensors.write(shuffled, Map.of()));
        String out = dir.resolve("corr").toString();
        Map<String, Object> report = CorrelateCommand.run(ConfigLoader.load(List.of("dni.models=[\"" + a + "\", \""
                + b + "\"]", "dni.align.enabled=true", "dni.correlate.output=\"" + out + "\"")));
        Map<String, Object> before = castMap(((List<?>) report.get("pairs")).get(0));
        Map<String, Object> after = castMap(((List<?>) report.get("after_alignment")).get(0));
        assertTrue((Double) before.get("median_of_layer_medians") < 0.5, before.toString());
        assertEquals(1.0, (Double) after.get("median_of_layer_medians"), 1e-6);
        sameThroughTheType(java.nio.file.Path.of(out));
        String html = java.nio.file.Files.readString(java.nio.file.Path.of(out, "report.html"));
        assertTrue(html.contains("After permutation alignment") && html.contains(
                (String) castMap(((List<?>) report.get("alignment")).get(0)).get("permutation_sha256")));
    }

    /**
     * correlation.json reads back through the type the command wrote it with, key for key, and the manifest's summary
     * is its headline (issue 26).
     */
    private static void sameThroughTheType(java.nio.file.Path run) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode written = json.readTree(run.resolve("correlation.json").toFile());
        org.dnispark.results.CorrelationResults read = org.dnispark.results.CorrelationResults.of(written);
        assertEquals(written.toString(), read.toJson().toString());
        assertEquals(json.readTree(run.resolve("manifest.json").toFile()).get("summary").toString(),
                read.headline().toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
