package org.dnispark.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The few JSON moves the result types share: nullable numbers written as null, arrays read element by element. */
public final class JsonFields {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFields() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** {@code key: value}, or {@code key: null}: a figure that could not be computed stays visible as null. */
    static void put(ObjectNode o, String key, Double value) {
        if (value == null) {
            o.putNull(key);
        } else {
            o.put(key, value.doubleValue());
        }
    }

    /** A number, or null for JSON null or a missing key. */
    static Double doubleOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asDouble();
    }

    /** A required text field. */
    static String text(JsonNode n, String key) {
        if (!n.hasNonNull(key)) {
            throw new IllegalArgumentException("summary.json: " + n + " has no " + key);
        }
        return n.get(key).asText();
    }

    /** Each element of an array read by {@code element}; empty for a missing key. */
    static <T> List<T> array(JsonNode n, Function<JsonNode, T> element) {
        List<T> out = new ArrayList<>();
        n.forEach(x -> out.add(element.apply(x)));
        return out;
    }

    static Map<String, Object> toMap(JsonNode n) {
        return MAPPER.convertValue(n, new TypeReference<Map<String, Object>>() { });
    }

    /** A value (a map the planner or the search built) as a JSON tree. */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }
}
