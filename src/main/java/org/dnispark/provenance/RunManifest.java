package org.dnispark.provenance;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.dnispark.results.ModelEntry;

/**
 * The provenance of one run of any command (transition, sweep, interpolate, correlate, train), in one shape (read
 * back by reports as {@link org.dnispark.results.RunProvenance}, through the same model and coefficient types):
 *
 * <pre>
 * job, run_id, fingerprint, identity      what was computed (the fingerprint is the SHA-256 of identity)
 * output, output_policy, started, finished where it went and when
 * models                                  every model file with its SHA-256
 * ...                                     what the command itself records (network, coefficients, ...)
 * summary                                 the command's headline results
 * versions, git                           the software
 * timings, config                         how long each phase took; the resolved configuration, secrets masked
 * </pre>
 *
 * Built with {@link #builder}, which refuses a manifest missing any common part.
 */
public final class RunManifest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The parts every manifest has, in order. */
    public static final List<String> COMMON = List.of("job", "run_id", "fingerprint", "identity", "output",
            "output_policy", "started", "finished", "models", "summary", "versions", "git", "timings", "config");

    private final Map<String, Object> content;

    private RunManifest(Map<String, Object> content) {
        this.content = content;
    }

    public static Builder builder(String command, RunIdentity identity) {
        return new Builder(command, identity);
    }

    /** The manifest as ordered JSON values. */
    public Map<String, Object> asMap() {
        return java.util.Collections.unmodifiableMap(content);
    }

    public String fingerprint() {
        return (String) content.get("fingerprint");
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(content);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the manifest: " + e.getMessage(), e);
        }
    }

    /** Collects the parts; common parts are checked by {@link #build()}, command details keep their order. */
    public static final class Builder {
        private final Map<String, Object> head = new LinkedHashMap<>();
        private final Map<String, Object> details = new LinkedHashMap<>();
        private Map<String, String> platform = Map.of();
        private Object summary;
        private Map<String, ?> timings;
        private JsonNode config;

        private Builder(String command, RunIdentity identity) {
            head.put("job", Objects.requireNonNull(command, "command"));
            head.put("run_id", null);
            head.put("fingerprint", identity.fingerprint());
            head.put("identity", identity.values());
        }

        public Builder runId(String runId) {
            head.put("run_id", runId);
            return this;
        }

        public Builder output(String uri, String policy) {
            head.put("output", uri);
            head.put("output_policy", policy);
            return this;
        }

        public Builder started(Instant started) {
            head.put("started", started.toString());
            return this;
        }

        /** The models as {@code ModelSet.describe()} gives them (an empty list for a command without models). */
        public Builder models(List<ModelEntry> models) {
            head.put("models", models);
            return this;
        }

        /** A detail of the command, in the order given (for example network, coefficients, degradation). */
        public Builder detail(String key, Object value) {
            if (COMMON.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' is a common manifest part, not a detail");
            }
            details.put(key, value);
            return this;
        }

        /** Versions only the command knows (Spark and Scala for the Spark jobs). */
        public Builder platform(Map<String, String> versions) {
            this.platform = versions;
            return this;
        }

        public Builder summary(Object summary) {
            this.summary = summary;
            return this;
        }

        public Builder timings(Map<String, ?> timings) {
            this.timings = timings;
            return this;
        }

        /** The resolved configuration, secrets already masked. */
        public Builder config(JsonNode config) {
            this.config = config;
            return this;
        }

        public RunManifest build() {
            for (String k : List.of("run_id", "output", "output_policy", "started", "models")) {
                if (head.get(k) == null) {
                    throw new IllegalStateException("manifest of " + head.get("job") + " lacks '" + k + "'");
                }
            }
            if (summary == null || timings == null || config == null) {
                throw new IllegalStateException("manifest of " + head.get("job") + " lacks its summary, timings or "
                        + "configuration");
            }
            Map<String, Object> c = new LinkedHashMap<>();
            for (String k : List.of("job", "run_id", "fingerprint", "identity", "output", "output_policy", "started")) {
                c.put(k, head.get(k));
            }
            c.put("finished", Instant.now().toString());
            c.put("models", head.get("models"));
            c.putAll(details);
            c.put("summary", summary);
            c.put("versions", Versions.of(platform));
            c.put("git", Versions.git());
            c.put("timings", timings);
            c.put("config", config);
            return new RunManifest(c);
        }
    }
}
