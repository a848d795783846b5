package org.dnispark.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a report shows of a run's {@code manifest.json} (written by {@code provenance.RunManifest} for every command),
 * read once into types: where the run went and when, which models (the same {@link ModelEntry} the manifest was
 * written from), the method and its coefficients (the same {@link CoefficientEntry}), the degradation and seed, the
 * network, Spark, versions and git commit. Keys a command does not write are empty (or null for a list that is
 * absent rather than empty, such as a command without degradation).
 *
 * @param degradation the degradation steps, or null when the command records none
 * @param spark       the Spark settings recorded, or null
 */
public record RunProvenance(String job, String runId, String output, String fingerprint, String started,
        String finished, List<ModelEntry> models, String method, String alphaConvention,
        List<CoefficientEntry> coefficients, List<String> degradation, String seed, String network, JsonNode spark,
        Map<String, String> versions, String gitCommit, boolean gitDirty) {

    public RunProvenance {
        models = List.copyOf(models);
        coefficients = List.copyOf(coefficients);
        degradation = degradation == null ? null : List.copyOf(degradation);
        versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }

    public static RunProvenance of(JsonNode m) {
        Map<String, String> versions = new LinkedHashMap<>();
        m.path("versions").properties().forEach(e -> versions.put(e.getKey(), e.getValue().asText()));
        JsonNode git = m.path("git");
        return new RunProvenance(m.path("job").asText(""), m.path("run_id").asText(""), m.path("output").asText(""),
                m.path("fingerprint").asText(""), m.path("started").asText(""), m.path("finished").asText(""),
                JsonFields.array(m.path("models"), ModelEntry::of), m.path("method").asText(""),
                m.path("alpha_convention").asText(""), JsonFields.array(m.path("coefficients"), CoefficientEntry::of),
                m.has("degradation") ? JsonFields.array(m.path("degradation"), JsonNode::asText) : null,
                m.path("seed").asText(""), m.path("network").asText(""),
                m.path("spark").isObject() ? m.get("spark") : null, versions, git.path("commit").asText(""),
                git.path("dirty").asBoolean(false));
    }

    /** Every model file's SHA-256, in order: what tells whether two runs used the same models. */
    public List<String> modelDigests() {
        return models.stream().flatMap(e -> e.digests().stream()).toList();
    }
}
