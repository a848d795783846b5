package org.dnispark.provenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything that determines a run's results: the command, its settings (every settings component not marked
 * {@link Placement}), the content digests of its models and what identifies its inputs. It is written into the run's
 * manifest as {@code identity}, and the resume fingerprint is the SHA-256 of exactly that JSON, so the two cannot
 * disagree: equal fingerprints mean a resumed run continues the same work.
 */
public record RunIdentity(ObjectNode values) {
    static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public RunIdentity {
        values = values.deepCopy();
    }

    /** SHA-256 of the identity's canonical JSON. */
    public String fingerprint() {
        try {
            return Sha256.hex(CANONICAL.writeValueAsBytes(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of the identity's fields, in order. */
    public List<String> fields() {
        List<String> names = new java.util.ArrayList<>();
        values.fieldNames().forEachRemaining(names::add);
        return names;
    }

    public static Builder builder(String command) {
        return new Builder(command);
    }

    /** Collects the identity's parts; {@link #build()} refuses an identity without settings or models. */
    public static final class Builder {
        private final Map<String, Object> parts = new LinkedHashMap<>();

        private Builder(String command) {
            parts.put("command", command);
        }

        /** A settings record, without its {@link Placement} components. */
        public Builder settings(Object settings) {
            parts.put("settings", CANONICAL.valueToTree(settings));
            return this;
        }

        /** The models' content digests, in order. */
        public Builder models(List<String> digests) {
            parts.put("models", List.copyOf(digests));
            return this;
        }

        /** Any further part that determines the results (for example what identifies the inputs). */
        public Builder put(String key, Object value) {
            parts.put(key, CANONICAL.valueToTree(value));
            return this;
        }

        public RunIdentity build() {
            if (!parts.containsKey("settings") || !parts.containsKey("models")) {
                throw new IllegalStateException("a run identity needs its settings and its models");
            }
            JsonNode tree = CANONICAL.valueToTree(parts);
            return new RunIdentity((ObjectNode) tree);
        }
    }
}
