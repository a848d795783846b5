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
import org.dnispark.storage.RunOutput;

/**
 * The sweep's summary.json pieces made from its statistics: the headline (best coefficient by the picking metric's
 * direction, endpoints, dip and largest step in its unit, the metrics computed) and the region-adaptive composites.
 */
final class SweepSummary {
    private SweepSummary() {
    }

    /** The composites' scores: adaptive.csv, and their means beside the levels'. */
    static Map<String, Object> regionAdaptive(SweepSettings s, JavaRDD<Row> rows, JavaRDD<Row> scores,
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
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("levels", a.levels());
        d.put("flat_alpha", a.flat());
        d.put("textured_alpha", a.textured());
        d.put("smoothing", a.smoothing());
        d.put("images", stats.count(0));
        for (String m : columns) {
            d.put("mean_" + m, stats.count(0) == 0 ? null : stats.stat(m, 0).mean());
        }
        // the framed images (a few, by name): their composite's scores beside those at the dataset's best coefficient
        List<String> named = a.frames();
        Map<String, Row> composites = new java.util.HashMap<>();
        Map<String, Row> atBest = new java.util.HashMap<>();
        rows.filter(r -> named.contains(Outcomes.image(r))).collect().forEach(r -> composites.put(Outcomes.image(r), r));
        scores.filter(r -> Outcomes.index(r) == best && named.contains(Outcomes.image(r))).collect()
                .forEach(r -> atBest.put(Outcomes.image(r), r));
        List<Map<String, Object>> frames = new ArrayList<>();
        for (String f : named) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("image", f);
            e.put("folder", SweepJob.framesOf(f));
            e.put("best_frame", SweepJob.framesOf(f) + "/" + ImageJob.frameName(best, coefficients.get(best).label()));
            for (String m : columns) {
                e.put(m, composites.containsKey(f) ? composites.get(f).<Double>getAs(m) : null);
                e.put(m + "_at_best", atBest.containsKey(f) ? atBest.get(f).<Double>getAs(m) : null);
            }
            frames.add(e);
        }
        d.put("frames", frames);
        return d;
    }

    static Map<String, Object> summary(SweepSettings s, RunPlan plan, ImageJob.Results results,
            List<Map<String, Object>> perList, double[] means, int best) {
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
        // the worse endpoint, and how far the curve goes beyond it the wrong way (in the metric's units, >= 0)
        double worseEnd = picking.direction().better(means[0], means[n - 1]) ? means[n - 1] : means[0];
        double dip = Math.abs(worseEnd - worst);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", s.method() == Method.PIXEL ? "pixel" : "dni");
        summary.put("metric", picking.column());
        summary.put("metric_better", picking.direction().word());
        summary.put("metric_unit", picking.unit());
        summary.put("metrics", s.scoring().computed().stream().map(SweepSummary::describe).toList());
        summary.put("crop_border", SweepJob.cropBorder(s, plan));
        summary.put("images", results.images());
        summary.put("rejected", results.rejected());
        summary.put("best", perList.get(best));
        summary.put("first", perList.get(0));
        summary.put("last", perList.get(n - 1));
        // How far the curve falls below the worse endpoint (the paper's limitation for uncorrelated models), and the
        // largest change between neighbouring coefficients (smoothness of the transition), in the metric's unit;
        // the _db names stay for metrics in dB.
        summary.put("dip_below_endpoints", dip);
        summary.put("max_neighbour_step", maxStep);
        if ("dB".equals(picking.unit())) {
            summary.put("dip_below_endpoints_db", dip);
            summary.put("max_neighbour_step_db", maxStep);
        }
        summary.put("per_coefficient", perList);
        return summary;
    }

    /** A metric as the report reads it. */
    static Map<String, Object> describe(Metric m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("column", m.column());
        d.put("title", m.title());
        d.put("unit", m.unit());
        d.put("decimals", m.decimals());
        d.put("better", m.direction().word());
        d.put("reference", m.needsReference());
        return d;
    }
}
