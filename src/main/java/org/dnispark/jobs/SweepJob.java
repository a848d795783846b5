package org.dnispark.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.dnispark.config.JobSettings;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.ncnn.NcnnGeometry;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The sweep job: PSNR (RGB and Y, BasicSR conventions) of every image at every coefficient vector, the mean per
 * coefficient and the best one. Inputs are either clean references degraded synthetically (seeded) or paired folders of
 * degraded inputs and ground truth matched by file name.
 */
public final class SweepJob extends DniJob<SweepJob.Score> {
    /** PSNR of one image at one coefficient vector. */
    static final class Score implements ImageRow {
        private static final long serialVersionUID = 1L;
        final String image;
        final int index;
        final double psnrRgb;
        final double psnrY;

        Score(String image, int index, double psnrRgb, double psnrY) {
            this.image = image;
            this.index = index;
            this.psnrRgb = psnrRgb;
            this.psnrY = psnrY;
        }

        @Override
        public String image() {
            return image;
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", image);
            m.put("index", index);
            // Bit-exact doubles survive the JSON round trip as their raw bits (PSNR may be infinite).
            m.put("psnr_rgb_bits", Double.doubleToRawLongBits(psnrRgb));
            m.put("psnr_y_bits", Double.doubleToRawLongBits(psnrY));
            return m;
        }
    }

    @Override
    Score decodeRow(com.fasterxml.jackson.databind.JsonNode j) {
        return new Score(j.get("image").asText(), j.get("index").asInt(),
                Double.longBitsToDouble(j.get("psnr_rgb_bits").asLong()),
                Double.longBitsToDouble(j.get("psnr_y_bits").asLong()));
    }

    /** Runs the job in an existing session (tests and the CLI call this); returns the summary. */
    public static Map<String, Object> run(SparkSession spark, JobSettings settings) {
        if (settings.job != JobSettings.Job.SWEEP) {
            throw new IllegalArgumentException("settings are for " + settings.job.key() + ", not sweep");
        }
        return new SweepJob().execute(spark, settings).summary;
    }

    @Override
    List<ImageTask> tasks(JobSettings s, Configuration conf, List<Rejection> rejections) throws IOException {
        if (s.groundTruth.isEmpty()) {
            return super.tasks(s, conf, rejections);
        }
        Map<String, String> inputs = byStem(listImages(s.images, "dni.input.images", s, conf));
        Map<String, String> truths = byStem(listImages(s.groundTruth, "dni.sweep.ground-truth", s, conf));
        List<ImageTask> out = new ArrayList<>();
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            String gt = truths.get(e.getKey());
            if (gt == null) {
                rejections.add(new Rejection(e.getKey(), e.getValue(), "no ground truth named " + e.getKey()
                        + ".* in " + s.groundTruth));
            } else {
                out.add(new ImageTask(e.getKey(), e.getValue(), gt));
            }
        }
        for (Map.Entry<String, String> e : truths.entrySet()) {
            if (!inputs.containsKey(e.getKey())) {
                rejections.add(new Rejection(e.getKey(), e.getValue(), "ground truth without an input named "
                        + e.getKey() + ".* in " + s.images));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no input in " + s.images + " has a ground truth of the same name in "
                    + s.groundTruth);
        }
        return out;
    }

    private static Map<String, String> byStem(List<String> uris) {
        Map<String, String> m = new TreeMap<>();
        for (String u : uris) {
            String stem = ImageTask.stem(u);
            if (m.put(stem, u) != null) {
                throw new IllegalArgumentException("two images are named " + stem + ".* (" + m.get(stem) + ", " + u
                        + "); paired folders need unique names");
            }
        }
        return m;
    }

    @Override
    void checkPlan(JobSettings s, NcnnGeometry geometry) {
        if (!s.groundTruth.isEmpty()) {
            return;
        }
        int factor = 1;
        for (DegradationStep step : s.degradation) {
            if (step.kind() == DegradationStep.Kind.BICUBIC_DOWN) {
                factor *= step.value() == 0 ? geometry.scale() : (int) step.value();
            }
        }
        if (factor != geometry.scale()) {
            throw new IllegalArgumentException("dni.degradation down-scales by " + factor + " in total but the "
                    + "model up-scales by " + geometry.scale() + "; expected them to match so that outputs and ground "
                    + "truth have the same size (add {type = bicubic-down} for an SR model)");
        }
    }

    @Override
    FlatMapFunction<Iterator<ImageTask>, Outcome<Score>> partitionFunction(ExecutorPlan plan, JobSettings s) {
        int crop = s.cropBorder >= 0 ? s.cropBorder : plan.scale;
        return tasks -> {
            Configuration conf = plan.hadoopConf();
            List<String> names = new ArrayList<>();
            List<RgbImage> inputs = new ArrayList<>();
            List<RgbImage> truths = new ArrayList<>();
            List<Outcome<Score>> out = new ArrayList<>();
            while (tasks.hasNext()) {
                ImageTask t = tasks.next();
                try {
                    RgbImage input;
                    RgbImage truth;
                    if (t.groundTruthUri == null) {
                        truth = plan.decode(t.inputUri, conf).modCrop(plan.scale);
                        input = plan.degrade(truth, t.name);
                    } else {
                        input = plan.decode(t.inputUri, conf);
                        truth = plan.decode(t.groundTruthUri, conf);
                        if (truth.width() != input.width() * plan.scale
                                || truth.height() != input.height() * plan.scale) {
                            throw new IllegalArgumentException("ground truth " + truth.width() + "x" + truth.height()
                                    + " is not " + plan.scale + "x the input " + input.width() + "x" + input.height());
                        }
                    }
                    if (2 * crop >= Math.min(truth.width(), truth.height())) {
                        throw new IllegalArgumentException("image " + truth.width() + "x" + truth.height()
                                + " is too small for crop-border " + crop);
                    }
                    names.add(t.name);
                    inputs.add(input);
                    truths.add(truth);
                } catch (IOException | IllegalArgumentException e) {
                    out.add(Outcome.rejected(new Rejection(t.name, t.inputUri, e.getMessage())));
                }
            }
            if (inputs.isEmpty()) {
                if (plan.checkpoint) {
                    Checkpoint.write(plan, conf, out);
                }
                return out.iterator();
            }
            plan.forEachOutput(inputs, (k, i, result) -> out.add(Outcome.of(new Score(names.get(i), k,
                    Psnr.rgb(result, truths.get(i), crop), Psnr.y(result, truths.get(i), crop)))));
            if (plan.checkpoint) {
                Checkpoint.write(plan, conf, out);
            }
            return out.iterator();
        };
    }

    @Override
    Map<String, Object> writeReports(SparkSession spark, JobSettings s, RunOutput out, List<Score> rows,
            List<Rejection> rejections) {
        rows.sort((a, b) -> a.image.equals(b.image) ? Integer.compare(a.index, b.index) : a.image.compareTo(b.image));
        int n = s.coefficients.size();
        double[] sumRgb = new double[n];
        double[] sumY = new double[n];
        int[] count = new int[n];
        Csv csv = new Csv("image", "index", "label", "alpha", "coefficients", "psnr_rgb", "psnr_y");
        List<Row> table = new ArrayList<>();
        for (Score r : rows) {
            csv.row(r.image, r.index, s.coefficientLabels.get(r.index), alphaText(s, r.index),
                    vector(s, r.index), fmt(r.psnrRgb), fmt(r.psnrY));
            table.add(RowFactory.create(r.image, r.index, s.coefficientLabels.get(r.index),
                    Double.isNaN(s.alphas.get(r.index)) ? null : s.alphas.get(r.index), s.coefficients.get(r.index),
                    r.psnrRgb, r.psnrY));
            sumRgb[r.index] += r.psnrRgb;
            sumY[r.index] += r.psnrY;
            count[r.index]++;
        }
        Storage.writeAtomically(out.file("psnr.csv"), csv.bytes(), out.conf());
        StructType schema = new StructType()
                .add("image", DataTypes.StringType, false)
                .add("index", DataTypes.IntegerType, false)
                .add("label", DataTypes.StringType, false)
                .add("alpha", DataTypes.DoubleType, true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("psnr_rgb", DataTypes.DoubleType, false)
                .add("psnr_y", DataTypes.DoubleType, false);
        List<Row> parquetRows = new ArrayList<>();
        for (Row r : table) {
            double[] v = (double[]) r.get(4);
            parquetRows.add(RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3),
                    Arrays.stream(v).boxed().toArray(Double[]::new), r.get(5), r.get(6)));
        }
        Dataset<Row> df = spark.createDataFrame(parquetRows, schema);
        df.coalesce(1).write().parquet(out.file("psnr.parquet"));

        Csv per = new Csv("index", "label", "alpha", "coefficients", "mean_psnr_rgb", "mean_psnr_y", "images");
        List<Map<String, Object>> perList = new ArrayList<>();
        int best = -1;
        double[] means = new double[n];
        for (int k = 0; k < n; k++) {
            double mr = sumRgb[k] / count[k];
            double my = sumY[k] / count[k];
            means[k] = s.metricIsY ? my : mr;
            per.row(k, s.coefficientLabels.get(k), alphaText(s, k), vector(s, k), fmt(mr), fmt(my), count[k]);
            Map<String, Object> e = coefficientEntry(s, k);
            e.put("mean_psnr_rgb", mr);
            e.put("mean_psnr_y", my);
            e.put("images", count[k]);
            perList.add(e);
            if (best < 0 || means[k] > means[best]) {
                best = k;
            }
        }
        Storage.writeAtomically(out.file("per_alpha.csv"), per.bytes(), out.conf());

        double maxStep = 0;
        double minMean = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            minMean = Math.min(minMean, means[k]);
            if (k > 0) {
                maxStep = Math.max(maxStep, Math.abs(means[k] - means[k - 1]));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", s.pixelBlend ? "pixel" : "dni");
        summary.put("metric", s.metricIsY ? "psnr_y" : "psnr_rgb");
        summary.put("crop_border", s.cropBorder >= 0 ? s.cropBorder : geometry.scale());
        summary.put("images", rows.stream().map(r -> r.image).distinct().count());
        summary.put("rejected", rejections.size());
        Map<String, Object> bestEntry = perList.get(best);
        summary.put("best", bestEntry);
        summary.put("first", perList.get(0));
        summary.put("last", perList.get(n - 1));
        // How far the curve falls below the worse endpoint (the paper's limitation for uncorrelated models), and
        // the largest change between neighbouring coefficients (smoothness of the transition).
        summary.put("dip_below_endpoints_db", Math.min(means[0], means[n - 1]) - minMean);
        summary.put("max_neighbour_step_db", maxStep);
        summary.put("per_coefficient", perList);
        Storage.writeAtomically(out.file("summary.json"), toJson(summary), out.conf());
        return summary;
    }

    private static byte[] toJson(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String alphaText(JobSettings s, int k) {
        double a = s.alphas.get(k);
        return Double.isNaN(a) ? "" : Double.toString(a);
    }

    private static String vector(JobSettings s, int k) {
        StringBuilder sb = new StringBuilder();
        for (double v : s.coefficients.get(k)) {
            sb.append(sb.length() == 0 ? "" : " ").append(v);
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
