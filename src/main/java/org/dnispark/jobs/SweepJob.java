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
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.metrics.Ssim;
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

    /** The per-image metrics a sweep records, in its result rows' order. */
    static final List<String> METRICS = List.of("psnr_rgb", "psnr_y", "ssim_rgb", "ssim_y");

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
    BlockWork work(SweepSettings s, RunPlan plan) {
        return new Scores(cropBorder(s, plan));
    }

    /** Scores every output against the image's ground truth. */
    record Scores(int crop) implements BlockWork {
        @Override
        public StructType columns() {
            StructType t = new StructType();
            for (String m : METRICS) {
                t = t.add(m, DataTypes.DoubleType);
            }
            return t;
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
            if (2 * crop >= Math.min(truth.width(), truth.height())) {
                throw new IllegalArgumentException("image " + truth.width() + "x" + truth.height()
                        + " is too small for crop-border " + crop);
            }
            return new Item(p.name(), p.input().uri(), input, truth);
        }

        @Override
        public void accept(Item item, int k, RgbImage output, ExecutorPlan plan, Configuration conf, List<Row> rows) {
            rows.add(Outcomes.accepted(item.name, item.uri, k, Psnr.rgb(output, item.truth, crop),
                    Psnr.y(output, item.truth, crop), Ssim.rgb(output, item.truth, crop),
                    Ssim.y(output, item.truth, crop)));
        }
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
        JavaRDD<Row> scores = results.accepted();
        StructType parquet = new StructType().add("image", DataTypes.StringType, false)
                .add("index", DataTypes.IntegerType, false).add("label", DataTypes.StringType, false)
                .add("alpha", DataTypes.DoubleType, true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        for (String m : METRICS) {
            parquet = parquet.add(m, DataTypes.DoubleType, false);
        }
        spark.createDataFrame(scores.map(new ResultRows.SweepParquetRow(coefficients)), parquet).write()
                .parquet(out.file("psnr.parquet"));
        ResultFiles.sortedCsv(scores, "image,index,label,alpha,coefficients," + String.join(",", METRICS),
                new ResultRows.SweepCsvLine(coefficients), out.file("psnr.csv"));

        SweepStatistics stats = SweepStatistics.of(scores, METRICS, coefficients.size());
        List<String> header = new ArrayList<>(List.of("index", "label", "alpha", "coefficients"));
        METRICS.forEach(m -> header.add("mean_" + m));
        header.add("images");
        Csv per = new Csv(header.toArray(String[]::new));
        List<Map<String, Object>> perList = new ArrayList<>();
        String metric = s.scoring().metric().column();
        double[] means = new double[coefficients.size()];
        int best = -1;
        for (CoefficientPlan.Coefficient c : coefficients.entries()) {
            int k = c.index();
            means[k] = stats.stat(metric, k).mean();
            List<Object> row = new ArrayList<>(List.of(k, c.label(), ResultRows.alphaText(c), ResultRows.vector(c)));
            Map<String, Object> e = RunPlan.coefficientEntry(c);
            for (String m : METRICS) {
                double mean = stats.stat(m, k).mean();
                row.add(m.startsWith("ssim") ? Csv.decimals6(mean) : Csv.decimals4(mean));
                e.put("mean_" + m, mean);
            }
            row.add(stats.count(k));
            per.row(row.toArray());
            e.put("images", stats.count(k));
            for (String m : METRICS) {
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
            if (best < 0 || means[k] > means[best]) {
                best = k;
            }
        }
        Storage.writeAtomically(out.file("per_alpha.csv"), per.bytes(), out.conf());
        Map<String, Object> summary = summary(s, plan, results, perList, means, best);
        PerImageBest.Result perImage = PerImageBest.of(scores, 4 + METRICS.indexOf(metric), best,
                s.run().report().worstImages());
        summary.put("per_image_best_mean", Double.isFinite(perImage.oracleMean()) ? perImage.oracleMean() : null);
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

    private static Map<String, Object> summary(SweepSettings s, RunPlan plan, Results results,
            List<Map<String, Object>> perList, double[] means, int best) {
        int n = means.length;
        double maxStep = 0;
        double minMean = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            minMean = Math.min(minMean, means[k]);
            if (k > 0) {
                maxStep = Math.max(maxStep, Math.abs(means[k] - means[k - 1]));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", s.method() == Method.PIXEL ? "pixel" : "dni");
        summary.put("metric", s.scoring().metric().column());
        summary.put("crop_border", cropBorder(s, plan));
        summary.put("images", results.images());
        summary.put("rejected", results.rejected());
        summary.put("best", perList.get(best));
        summary.put("first", perList.get(0));
        summary.put("last", perList.get(n - 1));
        // How far the curve falls below the worse endpoint (the paper's limitation for uncorrelated models), and the
        // largest change between neighbouring coefficients (smoothness of the transition).
        summary.put("dip_below_endpoints_db", Math.min(means[0], means[n - 1]) - minMean);
        summary.put("max_neighbour_step_db", maxStep);
        summary.put("per_coefficient", perList);
        return summary;
    }
}
