package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.dnispark.config.Method;
import org.dnispark.config.SweepSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RegionAlpha;
import org.dnispark.metrics.NoiseEstimate;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Metric;
import org.dnispark.metrics.Quantised;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The sweep job: PSNR (RGB and Y, BasicSR conventions) of every image at every coefficient vector, the mean per
 * coefficient and the best one, and each image's own best ({@link PerImageBest}). Inputs are either clean references degraded synthetically (seeded) or paired folders
 * of degraded inputs and ground truth matched by file name. Per-image scores are written by the executors
 * ({@code psnr.parquet}, {@code psnr.csv}); the driver collects one row per coefficient.
 */
public final class SweepJob extends ImageJob<SweepSettings> {

    /** Runs the job in an existing session (tests and the CLI call this); returns the summary. */
    public static Map<String, Object> run(SparkSession spark, SweepSettings settings) {
        return new SweepJob().execute(spark, settings).summary();
    }

    @Override
    String groundTruth(SweepSettings s) {
        return s.scoring().groundTruth();
    }

    @Override
    void check(SweepSettings s, RunPlan plan, Configuration conf) {
        if (s.scoring().paired()) {
            return;
        }
        int factor = 1;
        for (DegradationStep step : s.run().input().degradation()) {
            if (step.kind() == DegradationStep.Kind.BICUBIC_DOWN) {
                factor *= step.value() == 0 ? plan.scale() : (int) step.value();
            }
        }
        if (factor != plan.scale()) {
            throw new IllegalArgumentException("dni.degradation down-scales by " + factor + " in total but the "
                    + "model up-scales by " + plan.scale() + "; expected them to match so that outputs and ground "
                    + "truth have the same size (add {type = bicubic-down} for an SR model)");
        }
    }

    static int cropBorder(SweepSettings s, RunPlan plan) {
        return s.scoring().cropBorder() >= 0 ? s.scoring().cropBorder() : plan.scale();
    }

    @Override
    BlockWork work(SweepSettings s, RunPlan plan, Configuration conf) {
        return new Scores(cropBorder(s, plan), MetricBinding.bind(s.scoring(), s.run().input().extensions(), conf), s.adaptive(), s.frames());
    }

    /** The result columns of the metrics a sweep computes, in their order. */
    static List<String> columns(List<Metric> metrics) {
        return metrics.stream().map(Metric::column).toList();
    }

    /**
     * Scores every output by each metric (against the image's ground truth, quantised once per image; the output
     * quantised once for every metric), with the noise its input shows; with region-adaptive alpha, also the
     * composite of the levels' outputs (a row with index one past the last coefficient).
     */
    record Scores(int crop, List<Metric> metrics, SweepSettings.Adaptive adaptive, List<String> frames)
            implements BlockWork {
        @Override
        public StructType columns() {
            StructType t = new StructType();
            for (Metric m : metrics) {
                t = t.add(m.column(), DataTypes.DoubleType);
            }
            return t.add(NOISE, DataTypes.DoubleType);
        }

        @Override
        public int outputsKept() {
            return adaptive == null ? 0 : adaptive.levels().size() + 1;
        }

        @Override
        public long truthBytesPerPixel() {
            return MetricBinding.referenceBytesPerPixel(metrics);
        }

        @Override
        public Item decode(Pending p, ExecutorPlan plan) {
            RgbImage input;
            RgbImage truth;
            if (p.truth() == null) {
                truth = p.input().decode().modCrop(plan.scale());
                input = plan.degrade(truth, p.name());
            } else {
                input = p.input().decode();
                truth = p.truth().decode();
                if (truth.width() != input.width() * plan.scale() || truth.height() != input.height() * plan.scale()) {
                    throw new IllegalArgumentException("ground truth " + truth.width() + "x" + truth.height()
                            + " is not " + plan.scale() + "x the input " + input.width() + "x" + input.height());
                }
            }
            for (Metric m : metrics) {
                String refusal = m.refusal(truth.width(), truth.height(), crop);
                if (refusal != null) {
                    throw new IllegalArgumentException(refusal);
                }
            }
            return new Item(p.name(), p.input().uri(), input, truth);
        }

        @Override
        public void accept(Item item, int k, RgbImage output, ExecutorPlan plan, Configuration conf, List<Row> rows)
                throws java.io.IOException {
            if (Double.isNaN(item.inputNoise)) {
                item.inputNoise = NoiseEstimate.sigma(item.input);
            }
            rows.add(score(item, k, output));
            if (frames.contains(item.name) || frames.contains("*")) {
                Storage.writeAtomically(plan.output("frames/" + item.name + "/" + frameName(k,
                        plan.coefficients.get(k).label())), ImageCodec.encodePng(output), conf);
            }
            if (adaptive != null) {
                if (adaptive.levelIndices().contains(k)) {
                    item.collected.add(output);
                }
                if (adaptive.frames().contains(item.name)) {
                    Storage.writeAtomically(plan.output(framesOf(item.name) + "/" + frameName(k,
                            plan.coefficients.get(k).label())), ImageCodec.encodePng(output), conf);
                }
            }
        }

        /** Every metric of one output: the output quantised once, the ground truth once per image. */
        private Row score(Item item, int k, RgbImage output) {
            if (item.reference == null) {
                item.reference = Quantised.of(item.truth);
            }
            Quantised out = Quantised.of(output);
            Object[] values = new Object[metrics.size() + 1];
            for (int m = 0; m < metrics.size(); m++) {
                values[m] = metrics.get(m).score(out, item.reference, crop);
            }
            values[metrics.size()] = item.inputNoise;
            return Outcomes.accepted(item.name, item.uri, k, values);
        }

        @Override
        public void finish(Item item, ExecutorPlan plan, Configuration conf, List<Row> rows) throws java.io.IOException {
            if (adaptive == null) {
                return;
            }
            float[] map = RegionAlpha.map(item.input, adaptive.smoothing(), adaptive.flat(), adaptive.textured(),
                    adaptive.levelArray());
            RgbImage composite = RegionAlpha.composite(item.collected.toArray(RgbImage[]::new),
                    adaptive.levelArray(), map, item.input.width(), plan.scale());
            item.collected.clear();
            rows.add(score(item, plan.coefficients.size(), composite));
            if (adaptive.frames().contains(item.name)) {
                String dir = framesOf(item.name);
                Storage.writeAtomically(plan.output(dir + "/input.png"), ImageCodec.encodePng(item.input), conf);
                Storage.writeAtomically(plan.output(dir + "/alpha-map.png"), ImageCodec.encodePng(
                        RegionAlpha.picture(map, item.input.width(), item.input.height())), conf);
                Storage.writeAtomically(plan.output(dir + "/region-adaptive.png"), ImageCodec.encodePng(composite),
                        conf);
            }
        }
    }

    /** The column of the input's noise estimate, after the metrics. */
    static final String NOISE = "input_noise";

    /** Where the region-adaptive frames of an image go. */
    static String framesOf(String image) {
        return "region-adaptive/" + image;
    }

    /** With {@code dni.sweep.search}, a search's points instead of the grid ({@link SearchRun}). */
    @Override
    Inference infer(Stage st) {
        SweepSettings s = (SweepSettings) st.settings();
        return s.search() == null ? super.infer(st) : SearchRun.run(st, s);
    }

    @Override
    Map<String, Object> reports(SparkSession spark, SweepSettings s, RunPlan plan, Inference inference,
            Results results, RunOutput out) {
        CoefficientPlan coefficients = inference.coefficients();
        int n = coefficients.size();
        List<Metric> metrics = s.scoring().computed();
        List<String> columns = columns(metrics);
        Metric picking = s.scoring().picking();
        // the region-adaptive composites carry the index one past the last coefficient
        JavaRDD<Row> scores = s.adaptive() == null ? results.accepted()
                : results.accepted().filter(r -> Outcomes.index(r) < n);
        StructType parquet = new StructType().add("image", DataTypes.StringType, false)
                .add("index", DataTypes.IntegerType, false).add("label", DataTypes.StringType, false)
                .add("alpha", DataTypes.DoubleType, true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        for (String m : columns) {
            parquet = parquet.add(m, DataTypes.DoubleType, false);
        }
        step(spark, s, "statistics: psnr.parquet");
        spark.createDataFrame(scores.map(new ResultRows.SweepParquetRow(coefficients, columns)), parquet).write()
                .parquet(out.file("psnr.parquet"));

        step(spark, s, "statistics: per coefficient, in one pass");
        SweepStatistics stats = SweepStatistics.of(scores, columns, coefficients.size());
        List<String> header = new ArrayList<>(List.of("index", "label", "alpha", "coefficients"));
        columns.forEach(m -> header.add("mean_" + m));
        header.add("images");
        Csv per = new Csv(header.toArray(String[]::new));
        List<Map<String, Object>> perList = new ArrayList<>();
        double[] means = new double[coefficients.size()];
        int best = -1;
        for (CoefficientPlan.Coefficient c : coefficients.entries()) {
            int k = c.index();
            means[k] = stats.stat(picking.column(), k).mean();
            List<Object> row = new ArrayList<>(List.of(k, c.label(), ResultRows.alphaText(c), ResultRows.vector(c)));
            Map<String, Object> e = RunPlan.coefficientEntry(c);
            for (Metric m : metrics) {
                double mean = stats.stat(m.column(), k).mean();
                row.add(m.format(mean));
                e.put("mean_" + m.column(), mean);
            }
            row.add(stats.count(k));
            per.row(row.toArray());
            e.put("images", stats.count(k));
            for (String m : columns) {
                SweepStatistics.Stat st = stats.stat(m, k);
                Map<String, Object> spread = new LinkedHashMap<>();
                spread.put("std", st.std());
                spread.put("min", st.distribution().min());
                spread.put("q1", st.distribution().q1());
                spread.put("median", st.distribution().median());
                spread.put("q3", st.distribution().q3());
                spread.put("max", st.distribution().max());
                e.put(m + "_spread", spread);
            }
            perList.add(e);
            if (best < 0 || picking.direction().better(means[k], means[best])) {
                best = k;
            }
        }
        Storage.writeAtomically(out.file("per_alpha.csv"), per.bytes(), out.conf());
        Map<String, Object> summary = summary(s, plan, results, perList, means, best);
        PerImageBest.Predictor predictor = s.predictorFitFrom().isEmpty() ? null
                : fitPredictor(spark, s.predictorFitFrom(), out);
        step(spark, s, "statistics: psnr.csv and per image best, in one pass");
        PerImageBest.Result perImage = PerImageBest.of(scores, picking, best, s.run().report().worstImages(),
                predictor, new PerImageBest.Tables(out.file("psnr.csv"), out.file("per_image.csv"), metrics,
                        coefficients), hadoop(out.conf()));
        summary.put("per_image_best_mean", Double.isFinite(perImage.oracleMean()) ? perImage.oracleMean() : null);
        if (predictor != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("formula", "alpha = clamp(intercept + slope * input_noise, 0, 1), then the nearest alpha run");
            p.put("intercept", predictor.intercept());
            p.put("slope", predictor.slope());
            p.put("fitted_on_images", predictor.fittedOn());
            p.put("fit_from", predictor.fitFrom());
            p.put("mean_at_predicted", Double.isFinite(perImage.predictedMean()) ? perImage.predictedMean() : null);
            summary.put("predictor", p);
        }
        if (s.adaptive() != null) {
            summary.put("region_adaptive", regionAdaptive(s, results.accepted().filter(r -> Outcomes.index(r) == n),
                    scores, best, coefficients, out));
        }
        List<Map<String, Object>> preferring = new ArrayList<>();
        for (CoefficientPlan.Coefficient c : coefficients.entries()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", c.index());
            e.put("label", c.label());
            e.put("alpha", c.hasAlpha() ? c.alpha() : null);
            e.put("images", perImage.imagesPreferring().getOrDefault(c.index(), 0L));
            preferring.add(e);
        }
        summary.put("best_per_image", preferring);
        List<Map<String, Object>> worst = new ArrayList<>();
        for (PerImageBest.ImageBest w : perImage.worst()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("image", w.image());
            e.put("at_best", w.atDatasetBest());
            e.put("own_best_index", w.bestIndex());
            e.put("own_best_label", coefficients.get(w.bestIndex()).label());
            e.put("own_best", w.best());
            worst.add(e);
        }
        summary.put("worst_images", worst);
        if (inference.details().containsKey("search")) {
            summary.put("search", inference.details().get("search"));
        }
        Storage.writeAtomically(out.file("summary.json"), Json.bytes(summary), out.conf());
        return summary;
    }

    /**
     * Fits {@code alpha = intercept + slope * input_noise} by least squares on the per-image best alphas of earlier
     * sweeps (their {@code per_image.csv}), summed in Spark.
     */
    static PerImageBest.Predictor fitPredictor(SparkSession spark, List<String> folders, RunOutput out) {
        List<String> files = new ArrayList<>();
        for (String f : folders) {
            String csv = f.replaceAll("/+$", "") + "/per_image.csv";
            if (!Storage.exists(csv, out.conf())) {
                throw new IllegalArgumentException("dni.sweep.predictor.fit-from: " + csv + " not found; expected "
                        + "the output folder of a finished sweep of two models");
            }
            files.add(csv);
        }
        org.apache.spark.sql.Dataset<Row> d = spark.read().option("header", "true").csv(files.toArray(String[]::new));
        for (String c : List.of("input_noise", "best_alpha")) {
            if (!List.of(d.columns()).contains(c)) {
                throw new IllegalArgumentException("dni.sweep.predictor.fit-from: " + files + " have no column " + c
                        + "; expected per_image.csv of a sweep of two models");
            }
        }
        Row sums = d.selectExpr("cast(input_noise as double) as x", "cast(best_alpha as double) as y")
                .filter("x is not null and y is not null and not isnan(x) and not isnan(y)")
                .selectExpr("count(*) as n", "sum(x) as sx", "sum(y) as sy", "sum(x * x) as sxx", "sum(x * y) as sxy").first();
        long count = sums.<Long>getAs("n");
        if (count < 2) {
            throw new IllegalArgumentException("dni.sweep.predictor.fit-from: " + files + " hold " + count
                    + " images with a noise estimate and a best alpha; expected at least 2 to fit a line");
        }
        double sx = sums.<Double>getAs("sx");
        double sy = sums.<Double>getAs("sy");
        double sxx = sums.<Double>getAs("sxx");
        double sxy = sums.<Double>getAs("sxy");
        double den = count * sxx - sx * sx;
        double slope = Math.abs(den) < 1e-12 * Math.max(1, count * sxx) ? 0 : (count * sxy - sx * sy) / den;
        double intercept = (sy - slope * sx) / count;
        return new PerImageBest.Predictor(intercept, slope, count, List.copyOf(folders));
    }

    /** The composites' scores: adaptive.csv, and their means beside the levels'. */
    private static Map<String, Object> regionAdaptive(SweepSettings s, JavaRDD<Row> rows, JavaRDD<Row> scores,
            int best, CoefficientPlan coefficients, RunOutput out) {
        SweepSettings.Adaptive a = s.adaptive();
        List<Metric> metrics = s.scoring().computed();
        List<String> columns = columns(metrics);
        ResultFiles.sortedCsv(rows, "image," + String.join(",", columns) + "," + NOISE, new ResultFiles.Line() {
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
                v.add(Csv.decimals4(r.<Double>getAs(NOISE)));
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
            e.put("folder", framesOf(f));
            e.put("best_frame", framesOf(f) + "/" + frameName(best, coefficients.get(best).label()));
            for (String m : columns) {
                e.put(m, composites.containsKey(f) ? composites.get(f).<Double>getAs(m) : null);
                e.put(m + "_at_best", atBest.containsKey(f) ? atBest.get(f).<Double>getAs(m) : null);
            }
            frames.add(e);
        }
        d.put("frames", frames);
        return d;
    }

    private static Map<String, Object> summary(SweepSettings s, RunPlan plan, Results results,
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
        summary.put("metrics", s.scoring().computed().stream().map(m -> describe(m)).toList());
        summary.put("crop_border", cropBorder(s, plan));
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
