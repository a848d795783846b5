package org.dnispark.results;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A transition's results (the {@code summary} object of its {@code manifest.json}): the one type the transition job
 * writes them through and the report reads them back through.
 *
 * @param method       {@code dni} or {@code pixel}
 * @param frames       frames written (one per image and coefficient)
 * @param strips       images, each with its contact strip
 * @param coefficients coefficients along the transition
 * @param rejected     images rejected
 */
public record TransitionResults(String method, long frames, long strips, int coefficients, long rejected) {

    /** The summary object, in the file's key order. */
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        o.put("method", method);
        o.put("frames", frames);
        o.put("strips", strips);
        o.put("coefficients", coefficients);
        o.put("rejected", rejected);
        return o;
    }

    /** A map view for the job's printed result and the manifest. */
    public Map<String, Object> toMap() {
        return JsonFields.toMap(toJson());
    }

    /**
     * A transition's summary read back.
     *
     * @throws IllegalArgumentException when it has no method or no frame count
     */
    public static TransitionResults of(JsonNode s) {
        if (!s.path("frames").isNumber()) {
            throw new IllegalArgumentException("the transition's summary has no frame count");
        }
        return new TransitionResults(JsonFields.text(s, "method"), s.path("frames").asLong(),
                s.path("strips").asLong(), s.path("coefficients").asInt(), s.path("rejected").asLong());
    }
}
