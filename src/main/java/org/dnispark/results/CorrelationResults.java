package org.dnispark.results;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.dnispark.results.JsonFields.array;
import static org.dnispark.results.JsonFields.text;

/**
 * A correlate run's {@code correlation.json}: the one type the command writes it through and the report (and the
 * series chart) read it back through. {@link #headline} is the manifest's summary: the same pairs without their
 * layers.
 *
 * @param pairs          every pair compared (consecutive models, and first to last when there are more than two)
 * @param series         the fine-tuning series analysis, empty without series alphas
 * @param alignment      what permutation alignment did to each model, as the aligner describes it, or null
 * @param afterAlignment the pairs measured again once every model is aligned with the first, or null
 * @param files          the files the run wrote, or null before they are known
 */
public record CorrelationResults(List<PairResult> pairs, List<SeriesPoint> series, JsonNode alignment,
        List<PairResult> afterAlignment, List<String> files) {

    public CorrelationResults {
        pairs = List.copyOf(pairs);
        series = List.copyOf(series);
        afterAlignment = afterAlignment == null ? null : List.copyOf(afterAlignment);
        files = files == null ? null : List.copyOf(files);
    }

    /** Eq. 3 for one pair of models: the per-layer distributions, their median and the verdict. */
    public record PairResult(String a, String b, double medianOfLayerMedians, double lowestLayerMedian,
            String verdict, List<LayerResult> layers) {
        public PairResult {
            layers = List.copyOf(layers);
        }

        ObjectNode toJson(boolean withLayers) {
            ObjectNode o = JsonFields.object();
            o.put("a", a);
            o.put("b", b);
            o.put("median_of_layer_medians", medianOfLayerMedians);
            o.put("lowest_layer_median", lowestLayerMedian);
            o.put("verdict", verdict);
            if (withLayers) {
                ArrayNode l = o.putArray("layers");
                layers.forEach(x -> l.add(x.toJson()));
            }
            return o;
        }

        static PairResult of(JsonNode n) {
            return new PairResult(text(n, "a"), text(n, "b"), n.path("median_of_layer_medians").asDouble(Double.NaN),
                    n.path("lowest_layer_median").asDouble(Double.NaN), n.path("verdict").asText(""),
                    array(n.path("layers"), LayerResult::of));
        }
    }

    /**
     * One weight tensor's filters: the distribution of their Eq. 3 index, and how many had none (constant filters).
     * Reports from before {@code max} and {@code mean} were written read them as {@code q3} and {@code median}.
     */
    public record LayerResult(String tensor, int filters, double min, double q1, double median, double q3,
            double max, double mean, int undefined) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("tensor", tensor);
            o.put("filters", filters);
            o.put("min", min);
            o.put("q1", q1);
            o.put("median", median);
            o.put("q3", q3);
            o.put("max", max);
            o.put("mean", mean);
            o.put("undefined", undefined);
            return o;
        }

        static LayerResult of(JsonNode n) {
            double median = n.path("median").asDouble(Double.NaN);
            double q3 = n.path("q3").asDouble(Double.NaN);
            return new LayerResult(text(n, "tensor"), n.path("filters").asInt(), n.path("min").asDouble(Double.NaN),
                    n.path("q1").asDouble(Double.NaN), median, q3, n.has("max") ? n.path("max").asDouble() : q3,
                    n.has("mean") ? n.path("mean").asDouble() : median, n.path("undefined").asInt());
        }
    }

    /** One model of a fine-tuning series at one layer (the paper's Fig. 3/4 analysis). */
    public record SeriesPoint(String model, double alpha, String tensor, double medianVsInterpolated,
            double medianVsFirst, double medianVsLast, double relativeDistanceToInterpolated) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("model", model);
            o.put("alpha", alpha);
            o.put("tensor", tensor);
            o.put("median_vs_interpolated", medianVsInterpolated);
            o.put("median_vs_first", medianVsFirst);
            o.put("median_vs_last", medianVsLast);
            o.put("relative_distance_to_interpolated", relativeDistanceToInterpolated);
            return o;
        }

        static SeriesPoint of(JsonNode n) {
            return new SeriesPoint(text(n, "model"), n.path("alpha").asDouble(), text(n, "tensor"),
                    n.path("median_vs_interpolated").asDouble(Double.NaN), n.path("median_vs_first").asDouble(
                            Double.NaN), n.path("median_vs_last").asDouble(Double.NaN),
                    n.path("relative_distance_to_interpolated").asDouble(Double.NaN));
        }
    }

    /** The same results with the alignment's description and the pairs measured after it. */
    public CorrelationResults withAlignment(Object description, List<PairResult> after) {
        return new CorrelationResults(pairs, series, JsonFields.tree(description), after, files);
    }

    /** The same results with the files the run wrote. */
    public CorrelationResults withFiles(List<String> written) {
        return new CorrelationResults(pairs, series, alignment, afterAlignment, written);
    }

    /** correlation.json, in the file's key order. */
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        pairs(o, "pairs", pairs, true);
        if (!series.isEmpty()) {
            ArrayNode s = o.putArray("series");
            series.forEach(p -> s.add(p.toJson()));
        }
        if (alignment != null) {
            o.set("alignment", alignment);
        }
        if (afterAlignment != null) {
            pairs(o, "after_alignment", afterAlignment, true);
        }
        if (files != null) {
            ArrayNode f = o.putArray("files");
            files.forEach(f::add);
        }
        return o;
    }

    /** The manifest's summary: the pairs (and those after alignment) without their layers. */
    public ObjectNode headline() {
        ObjectNode o = JsonFields.object();
        pairs(o, "pairs", pairs, false);
        if (afterAlignment != null) {
            pairs(o, "after_alignment", afterAlignment, false);
        }
        return o;
    }

    private static void pairs(ObjectNode o, String key, List<PairResult> list, boolean withLayers) {
        ArrayNode a = o.putArray(key);
        list.forEach(p -> a.add(p.toJson(withLayers)));
    }

    /** A map view, the command's printed result. */
    public Map<String, Object> toMap() {
        return JsonFields.toMap(toJson());
    }

    /**
     * A correlation.json read back.
     *
     * @throws IllegalArgumentException when it has no pairs, or a pair, layer or series point lacks its names
     */
    public static CorrelationResults of(JsonNode n) {
        if (!n.path("pairs").isArray()) {
            throw new IllegalArgumentException("correlation.json has no pairs");
        }
        return new CorrelationResults(array(n.path("pairs"), PairResult::of), array(n.path("series"),
                SeriesPoint::of), n.has("alignment") ? n.get("alignment") : null,
                n.path("after_alignment").isArray() ? array(n.path("after_alignment"), PairResult::of) : null,
                n.path("files").isArray() ? array(n.path("files"), JsonNode::asText) : null);
    }
}
