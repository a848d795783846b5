package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.dnispark.config.Method;
import org.dnispark.config.SweepSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The sweep job: PSNR (RGB and Y, BasicSR conventions) of every image at every coefficient vector, the mean per
 * coefficient and the best one. Inputs are either clean references degraded synthetically (seeded) or paired folders
 * of degraded inputs and ground truth matched by file name. Per-image scores are written by the executors
 * ({@code psnr.parquet}, {@code psnr.csv}); the driver collects one row per coefficient.
 */
public final class SweepJob extends ImageJob<SweepSettings> {

    /** Runs the job in an existing session (tests and the CLI call this); returns the summary. */
    public static Map<String, Object> run(SparkSession spark, SweepSettings settings) {
        return new SweepJob().execute(spark, settings).summary();
    }

    /** The per-image metrics a sweep records, in its result rows' order. */
    static final List<String> METRICS = List.of("psnr_rgb", "psnr_y");

    @Override
    String groundTruth(SweepSettings s) {
        return s.scoring().groundTruth();
    }

    @Override
    void check(SweepSettings s, RunPlan plan) {
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
            return new StructType().add("psnr_rgb", DataTypes.DoubleType).add("psnr_y", DataTypes.DoubleType);
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
                    Psnr.y(output, item.truth, crop)));
        }
    }

    @Override
    Map<String, Object> reports(SparkSession spark, SweepSettings s, RunPlan plan, Results results, RunOutput out) {
        CoefficientPlan coefficients = s.coefficients();
        JavaRDD<Row> scores = results.accepted();
        StructType parquet = new StructType().add("image", DataTypes.StringType, false)
                .add("index", DataTypes.IntegerType, false).add("label", DataTypes.StringType, false)
                .add("alpha", DataTypes.DoubleType, true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("psnr_rgb", DataTypes.DoubleType, false).add("psnr_y", DataTypes.DoubleType, false);
        spark.createDataFrame(scores.map(new ParquetRow(coefficients)), parquet).write()
                .parquet(out.file("psnr.parquet"));
        ResultFiles.sortedCsv(scores, "image,index,label,alpha,coefficients,psnr_rgb,psnr_y", new CsvLine(coefficients),
                out.file("psnr.csv"));

        SweepStatistics stats = SweepStatistics.of(scores, METRICS, coefficients.size());
        Csv per = new Csv("index", "label", "alpha", "coefficients", "mean_psnr_rgb", "mean_psnr_y", "images");
        List<Map<String, Object>> perList = new ArrayList<>();
        String metric = s.scoring().metric() == SweepSettings.Metric.Y ? "psnr_y" : "psnr_rgb";
        double[] means = new double[coefficients.size()];
        int best = -1;
        for (CoefficientPlan.Coefficient c : coefficients.entries()) {
            int k = c.index();
            double mr = stats.stat("psnr_rgb", k).mean();
            double my = stats.stat("psnr_y", k).mean();
            means[k] = stats.stat(metric, k).mean();
            per.row(k, c.label(), alphaText(c), vector(c), Csv.decimals4(mr), Csv.decimals4(my), stats.count(k));
            Map<String, Object> e = RunPlan.coefficientEntry(c);
            e.put("mean_psnr_rgb", mr);
            e.put("mean_psnr_y", my);
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
        summary.put("metric", s.scoring().metric() == SweepSettings.Metric.Y ? "psnr_y" : "psnr_rgb");
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

    /** The coefficient's vector as a Parquet array. */
    static Double[] boxed(CoefficientPlan.Coefficient c) {
        Double[] v = new Double[c.vector().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.vector()[i];
        }
        return v;
    }

    /** A row of psnr.parquet: the score with its coefficient's label, alpha and vector (in the executors). */
    record ParquetRow(CoefficientPlan coefficients) implements org.apache.spark.api.java.function.Function<Row, Row> {
        @Override
        public Row call(Row r) {
            CoefficientPlan.Coefficient c = coefficients.get(r.getInt(2));
            return RowFactory.create(r.getString(0), c.index(), c.label(), c.alpha(), boxed(c), r.getDouble(4),
                    r.getDouble(5));
        }
    }

    /** A line of psnr.csv, formatted in the executors, ordered by image then coefficient. */
    record CsvLine(CoefficientPlan coefficients) implements ResultFiles.Line {
        @Override
        public String key(Row r) {
            return ResultFiles.key(r.getString(0), r.getInt(2));
        }

        @Override
        public String line(Row r) {
            CoefficientPlan.Coefficient c = coefficients.get(r.getInt(2));
            return Csv.line(r.getString(0), c.index(), c.label(), alphaText(c), vector(c),
                    Csv.decimals4(r.getDouble(4)), Csv.decimals4(r.getDouble(5)));
        }
    }

    static String alphaText(CoefficientPlan.Coefficient c) {
        return c.hasAlpha() ? Double.toString(c.alpha()) : "";
    }

    static String vector(CoefficientPlan.Coefficient c) {
        StringBuilder sb = new StringBuilder();
        for (double v : c.vector()) {
            sb.append(sb.length() == 0 ? "" : " ").append(v);
        }
        return sb.toString();
    }
}
