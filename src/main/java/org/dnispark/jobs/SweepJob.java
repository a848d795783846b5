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

import org.dnispark.config.SweepSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.DegradationStep;
import org.dnispark.metrics.Metric;
import org.dnispark.results.SearchResults;
import org.dnispark.results.SweepResults;
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
        return new SweepScores(cropBorder(s, plan), MetricBinding.bind(s.scoring(), s.run().input().extensions(), conf), s.adaptive(), s.frames());
    }

    /** The result columns of the metrics a sweep computes, in their order. */
    static List<String> columns(List<Metric> metrics) {
        return metrics.stream().map(Metric::column).toList();
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
        List<SweepResults.CoefficientScores> perList = new ArrayList<>();
        double[] means = new double[coefficients.size()];
        int best = -1;
        for (CoefficientPlan.Coefficient c : coefficients.entries()) {
            int k = c.index();
            means[k] = stats.stat(picking.column(), k).mean();
            List<Object> row = new ArrayList<>(List.of(k, c.label(), ResultRows.alphaText(c), ResultRows.vector(c)));
            Map<String, Double> meanOf = new LinkedHashMap<>();
            for (Metric m : metrics) {
                double mean = stats.stat(m.column(), k).mean();
                row.add(m.format(mean));
                meanOf.put(m.column(), mean);
            }
            row.add(stats.count(k));
            per.row(row.toArray());
            Map<String, SweepResults.Spread> spreads = new LinkedHashMap<>();
            for (String m : columns) {
                SweepStatistics.Stat st = stats.stat(m, k);
                spreads.put(m, new SweepResults.Spread(st.std(), st.distribution().min(), st.distribution().q1(),
                        st.distribution().median(), st.distribution().q3(), st.distribution().max()));
            }
            perList.add(SweepSummary.coefficient(c, meanOf, stats.count(k), spreads));
            if (best < 0 || picking.direction().better(means[k], means[best])) {
                best = k;
            }
        }
        Storage.writeAtomically(out.file("per_alpha.csv"), per.bytes(), out.conf());
        PerImageBest.Predictor predictor = s.predictorFitFrom().isEmpty() ? null
                : fitPredictor(spark, s.predictorFitFrom(), out);
        step(spark, s, "statistics: psnr.csv and per image best, in one pass");
        PerImageBest.Result perImage = PerImageBest.of(scores, picking, best, s.run().report().worstImages(),
                predictor, new PerImageBest.Tables(out.file("psnr.csv"), out.file("per_image.csv"), metrics,
                        coefficients), hadoop(out.conf()));
        SweepResults.RegionAdaptive adaptive = s.adaptive() == null ? null : SweepSummary.regionAdaptive(s,
                results.accepted().filter(r -> Outcomes.index(r) == n), scores, best, coefficients, out);
        SweepResults summary = SweepSummary.summary(s, plan, results, perList, means, best, perImage, predictor,
                adaptive, (SearchResults) inference.details().get("search"));
        Storage.writeAtomically(out.file("summary.json"), Json.bytes(summary.toJson()), out.conf());
        return summary.toMap();
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

}
