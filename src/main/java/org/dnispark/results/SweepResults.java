package org.dnispark.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.dnispark.results.JsonFields.array;
import static org.dnispark.results.JsonFields.doubleOrNull;
import static org.dnispark.results.JsonFields.put;
import static org.dnispark.results.JsonFields.text;

/**
 * A sweep's {@code summary.json}: the one type the sweep job writes it through and the report reads it back
 * through. Per-metric figures are keyed by the metric's result column ({@code psnr_y}, {@code niqe}, ...), so a
 * new metric adds keys, never fields. {@link #toJson} writes the file's historical key names ({@code mean_<column>},
 * {@code <column>_spread}, the {@code _db} twins for metrics in dB); {@link #of} also reads runs written before
 * those existed (no {@code metrics} list, the dip only in dB, no SSIM).
 *
 * @param method            {@code dni} or {@code pixel}
 * @param metric            the picking metric's column
 * @param metricBetter      {@code higher} or {@code lower}
 * @param metricUnit        its unit ({@code dB}, or empty)
 * @param metrics           every metric computed, in the registry's order
 * @param cropBorder        pixels left out at each border when scoring
 * @param images            images scored
 * @param rejected          images rejected
 * @param best              the coefficient with the best mean by the picking metric
 * @param first             the first coefficient
 * @param last              the last coefficient
 * @param dipBelowEndpoints how far the picking metric's mean curve goes beyond the worse endpoint the wrong way
 * @param maxNeighbourStep  the largest change of that mean between neighbouring coefficients
 * @param perCoefficient    every coefficient, in index order
 * @param perImageBestMean  the mean when every image gets its own best coefficient, or null
 * @param predictor         the noise-to-alpha predictor and its score, or null
 * @param regionAdaptive    the region-adaptive composites, or null
 * @param bestPerImage      how many images prefer each coefficient
 * @param worstImages       the worst images at the best coefficient
 * @param search            the alpha search's record, or null for a grid
 */
public record SweepResults(String method, String metric, String metricBetter, String metricUnit,
        List<MetricColumn> metrics, int cropBorder, long images, long rejected, CoefficientScores best,
        CoefficientScores first, CoefficientScores last, double dipBelowEndpoints, double maxNeighbourStep,
        List<CoefficientScores> perCoefficient, Double perImageBestMean, Predictor predictor,
        RegionAdaptive regionAdaptive, List<Preference> bestPerImage, List<WorstImage> worstImages,
        SearchResults search) {

    public SweepResults {
        metrics = List.copyOf(metrics);
        perCoefficient = List.copyOf(perCoefficient);
        bestPerImage = List.copyOf(bestPerImage);
        worstImages = List.copyOf(worstImages);
    }

    /** A metric as the report titles and formats it. */
    public record MetricColumn(String column, String title, String unit, int decimals, String better,
            boolean reference) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("column", column);
            o.put("title", title);
            o.put("unit", unit);
            o.put("decimals", decimals);
            o.put("better", better);
            o.put("reference", reference);
            return o;
        }

        static MetricColumn of(JsonNode n) {
            return new MetricColumn(text(n, "column"), text(n, "title"), n.path("unit").asText(""),
                    n.path("decimals").asInt(4), n.path("better").asText("higher"),
                    n.path("reference").asBoolean(true));
        }
    }

    /** A metric's spread over the images at one coefficient. */
    public record Spread(double std, double min, double q1, double median, double q3, double max) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("std", std);
            o.put("min", min);
            o.put("q1", q1);
            o.put("median", median);
            o.put("q3", q3);
            o.put("max", max);
            return o;
        }

        static Spread of(JsonNode n) {
            return new Spread(n.path("std").asDouble(Double.NaN), n.path("min").asDouble(Double.NaN),
                    n.path("q1").asDouble(Double.NaN), n.path("median").asDouble(Double.NaN),
                    n.path("q3").asDouble(Double.NaN), n.path("max").asDouble(Double.NaN));
        }
    }

    /**
     * One coefficient's scores.
     *
     * @param coefficient the coefficient (index, label, alpha, weights, schedule)
     * @param means       the mean over images of each metric, by column
     * @param spreads     each metric's spread over images, by column (empty in runs before spreads)
     */
    public record CoefficientScores(CoefficientEntry coefficient, Map<String, Double> means, long images,
            Map<String, Spread> spreads) {
        public CoefficientScores {
            means = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(means));
            spreads = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(spreads));
        }

        public int index() {
            return coefficient.index();
        }

        public String label() {
            return coefficient.label();
        }

        /** Its alpha, or null (a vector or a path point with no single alpha). */
        public Double alpha() {
            return coefficient.alpha();
        }

        /** The mean of {@code column}, or NaN when this run did not compute it. */
        public double mean(String column) {
            Double m = means.get(column);
            return m == null ? Double.NaN : m;
        }

        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            coefficient.writeTo(o);
            means.forEach((m, value) -> put(o, "mean_" + m, value));
            o.put("images", images);
            spreads.forEach((m, s) -> o.set(m + "_spread", s.toJson()));
            return o;
        }

        static CoefficientScores of(JsonNode n) {
            Map<String, Spread> spreads = new LinkedHashMap<>();
            n.properties().forEach(e -> {
                if (e.getKey().endsWith("_spread")) {
                    spreads.put(e.getKey().substring(0, e.getKey().length() - "_spread".length()),
                            Spread.of(e.getValue()));
                }
            });
            return new CoefficientScores(CoefficientEntry.of(n), meansOf(n), n.path("images").asLong(), spreads);
        }
    }

    /** How many images score best at one coefficient. */
    public record Preference(int index, String label, Double alpha, long images) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("index", index);
            o.put("label", label);
            put(o, "alpha", alpha);
            o.put("images", images);
            return o;
        }

        static Preference of(JsonNode n) {
            return new Preference(n.path("index").asInt(), text(n, "label"), doubleOrNull(n.path("alpha")),
                    n.path("images").asLong());
        }
    }

    /** An image that scores worst at the dataset's best coefficient, and its own best. */
    public record WorstImage(String image, double atBest, int ownBestIndex, String ownBestLabel, double ownBest) {
        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("image", image);
            o.put("at_best", atBest);
            o.put("own_best_index", ownBestIndex);
            o.put("own_best_label", ownBestLabel);
            o.put("own_best", ownBest);
            return o;
        }

        static WorstImage of(JsonNode n) {
            return new WorstImage(text(n, "image"), n.path("at_best").asDouble(Double.NaN),
                    n.path("own_best_index").asInt(), text(n, "own_best_label"),
                    n.path("own_best").asDouble(Double.NaN));
        }
    }

    /**
     * {@code alpha = clamp(intercept + slope * input_noise, 0, 1)}, fitted on earlier sweeps' per-image best alphas.
     *
     * @param meanAtPredicted the picking metric's mean when each image gets its predicted alpha, or null
     */
    public record Predictor(String formula, double intercept, double slope, long fittedOnImages, List<String> fitFrom,
            Double meanAtPredicted) {
        public Predictor {
            fitFrom = List.copyOf(fitFrom);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("formula", formula);
            o.put("intercept", intercept);
            o.put("slope", slope);
            o.put("fitted_on_images", fittedOnImages);
            ArrayNode f = o.putArray("fit_from");
            fitFrom.forEach(f::add);
            put(o, "mean_at_predicted", meanAtPredicted);
            return o;
        }

        static Predictor of(JsonNode n) {
            return new Predictor(text(n, "formula"), n.path("intercept").asDouble(), n.path("slope").asDouble(),
                    n.path("fitted_on_images").asLong(), array(n.path("fit_from"), JsonNode::asText), doubleOrNull(n.path("mean_at_predicted")));
        }
    }

    /**
     * The region-adaptive composites (an alpha map per image from its local texture).
     *
     * @param means  each metric's mean over the composites, by column (null values when no image was scored)
     * @param frames the framed images: their composite's scores beside those at the best single coefficient
     */
    public record RegionAdaptive(List<Double> levels, double flatAlpha, double texturedAlpha, double smoothing,
            long images, Map<String, Double> means, List<AdaptiveFrame> frames) {
        public RegionAdaptive {
            levels = List.copyOf(levels);
            means = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(means));
            frames = List.copyOf(frames);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            ArrayNode l = o.putArray("levels");
            levels.forEach(l::add);
            o.put("flat_alpha", flatAlpha);
            o.put("textured_alpha", texturedAlpha);
            o.put("smoothing", smoothing);
            o.put("images", images);
            means.forEach((m, v) -> put(o, "mean_" + m, v));
            ArrayNode f = o.putArray("frames");
            frames.forEach(x -> f.add(x.toJson()));
            return o;
        }

        static RegionAdaptive of(JsonNode n) {
            return new RegionAdaptive(array(n.path("levels"), JsonNode::asDouble), n.path("flat_alpha").asDouble(),
                    n.path("textured_alpha").asDouble(),
                    n.path("smoothing").asDouble(), n.path("images").asLong(), meansOf(n),
                    array(n.path("frames"), AdaptiveFrame::of));
        }
    }

    /**
     * One framed image of the region-adaptive composites.
     *
     * @param folder    where its panels are, in the run's folder
     * @param bestFrame its output at the best single coefficient, in the run's folder
     * @param scores    the composite's score by metric column (null when not scored)
     * @param atBest    the score at the best single coefficient by metric column (null when not scored)
     */
    public record AdaptiveFrame(String image, String folder, String bestFrame, Map<String, Double> scores,
            Map<String, Double> atBest) {
        public AdaptiveFrame {
            scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
            atBest = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(atBest));
        }

        ObjectNode toJson() {
            ObjectNode o = JsonFields.object();
            o.put("image", image);
            o.put("folder", folder);
            o.put("best_frame", bestFrame);
            for (String m : scores.keySet()) {
                put(o, m, scores.get(m));
                put(o, m + "_at_best", atBest.get(m));
            }
            return o;
        }

        static AdaptiveFrame of(JsonNode n) {
            Map<String, Double> scores = new LinkedHashMap<>();
            Map<String, Double> atBest = new LinkedHashMap<>();
            n.properties().forEach(e -> {
                String k = e.getKey();
                if (k.endsWith("_at_best")) {
                    atBest.put(k.substring(0, k.length() - "_at_best".length()), doubleOrNull(e.getValue()));
                } else if (!List.of("image", "folder", "best_frame").contains(k)) {
                    scores.put(k, doubleOrNull(e.getValue()));
                }
            });
            return new AdaptiveFrame(text(n, "image"), text(n, "folder"), text(n, "best_frame"), scores, atBest);
        }
    }

    /** The {@code mean_<column>} keys of an object, by column (null where the mean could not be computed). */
    private static Map<String, Double> meansOf(JsonNode n) {
        Map<String, Double> means = new LinkedHashMap<>();
        n.properties().forEach(e -> {
            if (e.getKey().startsWith("mean_")) {
                means.put(e.getKey().substring("mean_".length()), doubleOrNull(e.getValue()));
            }
        });
        return means;
    }

    /** Whether the picking metric is in dB, so that the dip and step also go under their historical _db names. */
    private boolean decibels() {
        return "dB".equals(metricUnit);
    }

    /** The summary.json object, in the file's key order. */
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        o.put("method", method);
        o.put("metric", metric);
        o.put("metric_better", metricBetter);
        o.put("metric_unit", metricUnit);
        ArrayNode m = o.putArray("metrics");
        metrics.forEach(x -> m.add(x.toJson()));
        o.put("crop_border", cropBorder);
        o.put("images", images);
        o.put("rejected", rejected);
        o.set("best", best.toJson());
        o.set("first", first.toJson());
        o.set("last", last.toJson());
        o.put("dip_below_endpoints", dipBelowEndpoints);
        o.put("max_neighbour_step", maxNeighbourStep);
        if (decibels()) {
            o.put("dip_below_endpoints_db", dipBelowEndpoints);
            o.put("max_neighbour_step_db", maxNeighbourStep);
        }
        ArrayNode per = o.putArray("per_coefficient");
        perCoefficient.forEach(c -> per.add(c.toJson()));
        put(o, "per_image_best_mean", perImageBestMean);
        if (predictor != null) {
            o.set("predictor", predictor.toJson());
        }
        if (regionAdaptive != null) {
            o.set("region_adaptive", regionAdaptive.toJson());
        }
        ArrayNode prefer = o.putArray("best_per_image");
        bestPerImage.forEach(p -> prefer.add(p.toJson()));
        ArrayNode worst = o.putArray("worst_images");
        worstImages.forEach(w -> worst.add(w.toJson()));
        if (search != null) {
            o.set("search", search.toJson());
        }
        return o;
    }

    /**
     * A sweep's summary.json read back. Runs from before a key existed read as the sweep then meant it: PSNR-Y,
     * higher is better, the dip and step from their dB names.
     *
     * @throws IllegalArgumentException when it has no coefficient rows, or its best, first or last is missing
     */
    public static SweepResults of(JsonNode s) {
        List<CoefficientScores> per = array(s.path("per_coefficient"), CoefficientScores::of);
        if (per.isEmpty()) {
            throw new IllegalArgumentException("summary.json has no per_coefficient rows");
        }
        for (String k : new String[] {"best", "first", "last"}) {
            if (!s.path(k).isObject()) {
                throw new IllegalArgumentException("summary.json has no " + k + " coefficient");
            }
        }
        return new SweepResults(s.path("method").asText("dni"), s.path("metric").asText("psnr_y"),
                s.path("metric_better").asText("higher"), s.path("metric_unit").asText(
                        s.has("metric") ? "" : "dB"), array(s.path("metrics"), MetricColumn::of),
                s.path("crop_border").asInt(), s.path("images").asLong(), s.path("rejected").asLong(),
                CoefficientScores.of(s.path("best")), CoefficientScores.of(s.path("first")),
                CoefficientScores.of(s.path("last")), curveFigure(s, "dip_below_endpoints"),
                curveFigure(s, "max_neighbour_step"), per, doubleOrNull(s.path("per_image_best_mean")),
                s.path("predictor").isObject() ? Predictor.of(s.path("predictor")) : null,
                s.path("region_adaptive").isObject() ? RegionAdaptive.of(s.path("region_adaptive")) : null,
                array(s.path("best_per_image"), Preference::of), array(s.path("worst_images"), WorstImage::of),
                s.path("search").isObject() ? SearchResults.of(s.path("search")) : null);
    }

    /** The dip or largest step from its unit-free key or (runs before it) the one in dB. */
    private static double curveFigure(JsonNode s, String key) {
        return (s.has(key) ? s.path(key) : s.path(key + "_db")).asDouble(Double.NaN);
    }

    /** The columns every coefficient row has a mean for, in the order of the first row. */
    public List<String> scoredColumns() {
        return List.copyOf(perCoefficient.get(0).means().keySet());
    }

    /** Whether the coefficients lie along alpha (two models), so that charts plot against it instead of the index. */
    public boolean alongAlpha() {
        return perCoefficient.stream().allMatch(c -> c.alpha() != null);
    }

    /** A map view, the job's printed result and its manifest's summary. */
    public Map<String, Object> toMap() {
        return JsonFields.toMap(toJson());
    }
}
