package org.dnispark.results;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.dnispark.results.JsonFields.array;
import static org.dnispark.results.JsonFields.doubleOrNull;
import static org.dnispark.results.JsonFields.text;

/**
 * One coefficient as every JSON output describes it (the manifest's {@code coefficients}, each sweep summary's
 * per-coefficient scores): its index, label, alpha (two models only), the weight of each model and its layer
 * schedule (as the plan describes it), the last two absent when the coefficient has none.
 *
 * @param alpha    the alpha, or null with more than two models
 * @param schedule the layer schedule's description, or null
 */
public record CoefficientEntry(int index, String label, Double alpha, List<Double> coefficients, JsonNode schedule) {
    public CoefficientEntry {
        coefficients = List.copyOf(coefficients);
    }

    /** Writes the fields into {@code o}, in their order. */
    void writeTo(ObjectNode o) {
        o.put("index", index);
        o.put("label", label);
        if (alpha != null) {
            o.put("alpha", alpha);
        }
        ArrayNode v = o.putArray("coefficients");
        coefficients.forEach(v::add);
        if (schedule != null) {
            o.set("schedule", schedule);
        }
    }

    @JsonValue
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        writeTo(o);
        return o;
    }

    /** Reads the fields from an object that holds them (and maybe others). */
    public static CoefficientEntry of(JsonNode n) {
        return new CoefficientEntry(n.path("index").asInt(), text(n, "label"), doubleOrNull(n.path("alpha")),
                array(n.path("coefficients"), JsonNode::asDouble), n.has("schedule") ? n.get("schedule") : null);
    }
}
