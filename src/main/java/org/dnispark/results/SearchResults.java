package org.dnispark.results;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.dnispark.results.JsonFields.array;
import static org.dnispark.results.JsonFields.doubleOrNull;
import static org.dnispark.results.JsonFields.put;
import static org.dnispark.results.JsonFields.text;

/**
 * The alpha search's record inside a sweep's summary ({@code search}): its settings, every point in evaluation order,
 * the answer, and its cost beside the grid's.
 *
 * @param parameter     {@code alpha} (two models), or the description of the path parameter {@code t}
 * @param goal          {@code maximise} or {@code minimise}, by the picking metric's direction
 * @param best          the best point's parameter, or null before any evaluation
 * @param bestMean      its mean, or null before any evaluation
 * @param finalBracket  the bracket the search ended with, or null before any evaluation
 * @param fractionOfGrid inferences as a fraction of the grid's, or null for an empty grid
 */
public record SearchResults(String method, String parameter, String metric, String goal, double tolerance,
        List<Double> bracket, int maxEvaluations, boolean converged, Double best, Double bestMean,
        List<Double> finalBracket, List<Evaluation> evaluations, long images, long inferences, long gridPoints,
        long gridInferences, Double fractionOfGrid) {

    public SearchResults {
        bracket = List.copyOf(bracket);
        finalBracket = finalBracket == null ? null : List.copyOf(finalBracket);
        evaluations = List.copyOf(evaluations);
    }

    /**
     * One evaluated point.
     *
     * @param alongAlpha whether its parameter is {@code alpha} (two models) rather than the path's {@code t}
     * @param x          the parameter's value
     */
    public record Evaluation(int number, boolean alongAlpha, double x, List<Double> coefficients, double mean,
            String step, long inferences, long millis) {
        public Evaluation {
            coefficients = List.copyOf(coefficients);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("number", number);
            o.put(alongAlpha ? "alpha" : "t", x);
            ArrayNode c = o.putArray("coefficients");
            coefficients.forEach(c::add);
            o.put("mean", mean);
            o.put("step", step);
            o.put("inferences", inferences);
            o.put("millis", millis);
            return o;
        }

        static Evaluation of(JsonNode n) {
            boolean alpha = n.has("alpha");
            return new Evaluation(n.path("number").asInt(), alpha, n.path(alpha ? "alpha" : "t").asDouble(),
                    array(n.path("coefficients"), JsonNode::asDouble),
                    n.path("mean").asDouble(Double.NaN), n.path("step").asText(""), n.path("inferences").asLong(),
                    n.path("millis").asLong());
        }
    }

    /**
     * The record as the summary and the manifest hold it; Jackson writes it so wherever it meets the record (the
     * manifest's details), so the two cannot differ.
     */
    @JsonValue
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        o.put("method", method);
        o.put("parameter", parameter);
        o.put("metric", metric);
        o.put("goal", goal);
        o.put("tolerance", tolerance);
        doubles(o, "bracket", bracket);
        o.put("max_evaluations", maxEvaluations);
        o.put("converged", converged);
        if (!evaluations.isEmpty()) {
            put(o, "best", best);
            put(o, "best_mean", bestMean);
            if (finalBracket != null) {
                doubles(o, "final_bracket", finalBracket);
            }
        }
        ArrayNode e = o.putArray("evaluations");
        evaluations.forEach(x -> e.add(x.toJson()));
        o.put("images", images);
        o.put("inferences", inferences);
        o.put("grid_points", gridPoints);
        o.put("grid_inferences", gridInferences);
        put(o, "fraction_of_grid", fractionOfGrid);
        return o;
    }

    private static void doubles(ObjectNode o, String key, List<Double> values) {
        ArrayNode a = o.putArray(key);
        values.forEach(a::add);
    }

    static SearchResults of(JsonNode n) {
        return new SearchResults(text(n, "method"), n.path("parameter").asText(""), n.path("metric").asText(""),
                n.path("goal").asText("maximise"), n.path("tolerance").asDouble(),
                array(n.path("bracket"), JsonNode::asDouble),
                n.path("max_evaluations").asInt(), n.path("converged").asBoolean(), doubleOrNull(n.path("best")),
                doubleOrNull(n.path("best_mean")),
                n.path("final_bracket").isArray() ? array(n.path("final_bracket"), JsonNode::asDouble) : null, array(n.path("evaluations"), Evaluation::of),
                n.path("images").asLong(), n.path("inferences").asLong(), n.path("grid_points").asLong(),
                n.path("grid_inferences").asLong(), doubleOrNull(n.path("fraction_of_grid")));
    }
}
