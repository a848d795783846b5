package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;

import org.dnispark.config.Method;
import org.dnispark.config.SweepSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.metrics.Metric;
import org.dnispark.results.SearchResults;
import org.dnispark.results.SweepResults;
import org.dnispark.storage.RunOutput;

/**
 * The sweep's {@link SweepResults} made from its statistics: the headline (best coefficient by the picking metric's
 * direction, endpoints, dip and largest step in its unit, the metrics computed), each image's own best, and the
 * region-adaptive composites.
 */
final class SweepSummary {
    private SweepSummary() {
    }

    /** The composites' scores: adaptive.csv, and their means beside the levels'. */
    static SweepResults.RegionAdaptive regionAdaptive(SweepSettings s, JavaRDD<Row> rows, JavaRDD<Row> scores,
            int best, CoefficientPlan coefficients, RunOutput out) {
        SweepSettings.Adaptive a = s.adaptive();
        List<Metric> metrics = s.scoring().computed();
        List<String> columns = SweepJob.columns(metrics);
        ResultFiles.sortedCsv(rows, "image," + String.join(",", columns) + "," + SweepJob.NOISE, new ResultFiles.Line() {
            @Override
            public String key(Row r) {
                return Outcomes.image(r);
            }

            @Override
            public String line(Row r) {
                List<Object> v = new ArrayList<>(List.of(Outcomes.image(r)));
                for (Metric m : metrics) {
                    v.add(m.format(r.<Double>getAs(m.column())));
                }
                v.add(Csv.decimals4(r.<Double>getAs(SweepJob.NOISE)));
                return Csv.line(v.toArray());
            }
        }, out.file("adaptive.csv"));
        SweepStatistics stats = SweepStatistics.of(rows.map(r -> Outcomes.withIndex(r, 0)), columns, 1);
        Map<String, Double> means = new LinkedHashMap<>();
        for (String m : columns) {
            means.put(m, stats.count(0) == 0 ? null : stats.stat(m, 0).mean());
        }
        // the framed images (a few, by name): their composite's scores beside those at the dataset's best coefficient
        List<String> named = a.frames();
        Map<String, Row> composites = new java.util.HashMap<>();
        Map<String, Row> atBest = new java.util.HashMap<>();
        rows.filter(r -> named.contains(Outcomes.image(r))).collect().forEach(r -> composites.put(Outcomes.image(r), r));
        scores.filter(r -> Outcomes.index(r) == best && named.contains(Outcomes.image(r))).collect()
                .forEach(r -> atBest.put(Outcomes.image(r), r));
        List<SweepResults.AdaptiveFrame> frames = new ArrayList<>();
        for (String f : named) {
            Map<String, Double> composite = new LinkedHashMap<>();
            Map<String, Double> there = new LinkedHashMap<>();
            for (String m : columns) {
                composite.put(m, composites.containsKey(f) ? composites.get(f).<Double>getAs(m) : null);
                there.put(m, atBest.containsKey(f) ? atBest.get(f).<Double>getAs(m) : null);
            }
            frames.add(new SweepResults.AdaptiveFrame(f, SweepJob.framesOf(f), SweepJob.framesOf(f) + "/"
                    + ImageJob.frameName(best, coefficients.get(best).label()), composite, there));
        }
        return new SweepResults.RegionAdaptive(a.levels(), a.flat(), a.textured(), a.smoothing(), stats.count(0),
                means, frames);
    }

    /** One coefficient's row of the summary: the plan's description of it and its scores. */
    static SweepResults.CoefficientScores coefficient(CoefficientPlan.Coefficient c, Map<String, Double> means,
            long images, Map<String, SweepResults.Spread> spreads) {
        return new SweepResults.CoefficientScores(RunPlan.coefficientEntry(c), means, images, spreads);
    }

    /**
     * The summary: the headline from the per-coefficient means (best by the picking metric's direction, endpoints,
     * dip and largest step in its unit), each image's own best, the predictor, the composites and the search.
     */
    static SweepResults summary(SweepSettings s, RunPlan plan, ImageJob.Results results,
            List<SweepResults.CoefficientScores> perList, double[] means, int best, PerImageBest.Result perImage,
            PerImageBest.Predictor predictor, SweepResults.RegionAdaptive adaptive, SearchResults search) {
        Metric picking = s.scoring().picking();
        int n = means.length;
        double maxStep = 0;
        double worst = picking.direction() == Metric.Direction.HIGHER ? Double.POSITIVE_INFINITY
                : Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            if (picking.direction().better(worst, means[k])) {
                worst = means[k];
            }
            if (k > 0) {
                maxStep = Math.max(maxStep, Math.abs(means[k] - means[k - 1]));
            }
        }
        // the worse endpoint, and how far the curve goes beyond it the wrong way (in the metric's units, >= 0): the
        // paper's limitation for uncorrelated models; the largest step is the transition's smoothness
        double worseEnd = picking.direction().better(means[0], means[n - 1]) ? means[n - 1] : means[0];
        double dip = Math.abs(worseEnd - worst);
        SweepResults.Predictor p = predictor == null ? null : new SweepResults.Predictor(
                "alpha = clamp(intercept + slope * input_noise, 0, 1), then the nearest alpha run",
                predictor.intercept(), predictor.slope(), predictor.fittedOn(), predictor.fitFrom(),
                finiteOrNull(perImage.predictedMean()));
        List<SweepResults.Preference> preferring = new ArrayList<>();
        for (SweepResults.CoefficientScores c : perList) {
            preferring.add(new SweepResults.Preference(c.index(), c.label(), c.alpha(),
                    perImage.imagesPreferring().getOrDefault(c.index(), 0L)));
        }
        List<SweepResults.WorstImage> worstImages = new ArrayList<>();
        for (PerImageBest.ImageBest w : perImage.worst()) {
            worstImages.add(new SweepResults.WorstImage(w.image(), w.atDatasetBest(), w.bestIndex(),
                    perList.get(w.bestIndex()).label(), w.best()));
        }
        return new SweepResults(s.method() == Method.PIXEL ? "pixel" : "dni", picking.column(),
                picking.direction().word(), picking.unit(), s.scoring().computed().stream()
                        .map(SweepSummary::describe).toList(), SweepJob.cropBorder(s, plan), results.images(),
                results.rejected(), perList.get(best), perList.get(0), perList.get(n - 1), dip, maxStep, perList,
                finiteOrNull(perImage.oracleMean()), p, adaptive, preferring, worstImages,
                search);
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A metric as the report reads it. */
    static SweepResults.MetricColumn describe(Metric m) {
        return new SweepResults.MetricColumn(m.column(), m.title(), m.unit(), m.decimals(), m.direction().word(),
                m.needsReference());
    }
}
