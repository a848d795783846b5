package org.dnispark.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.metrics.Metric;
import org.dnispark.storage.Storage;

/**
 * Each image's own best coefficient in a sweep, reduced by Spark to what a report needs: how many images prefer each
 * coefficient, the mean score when every image gets its own best (the per-image oracle), the mean at each image's
 * predicted coefficient (with a {@link Predictor}), and the worst images at the dataset's best coefficient. The
 * driver receives one count per coefficient and {@code worst} rows, whatever the number of images; means are summed
 * exactly, so they do not depend on partitioning. {@code per_image.csv} is written from the executors.
 */
final class PerImageBest {
    /**
     * One image: its best coefficient and score, its score at the dataset's best coefficient, the noise its input
     * shows, and the coefficient the predictor picks for it and its score there (-1 and NaN without a predictor).
     */
    record ImageBest(String image, int bestIndex, double best, double atDatasetBest, double noise,
            int predictedIndex, double atPredicted) implements Serializable {
        ImageBest merge(ImageBest o, Metric.Direction direction) {
            boolean mine = direction.better(best, o.best) || (best == o.best && bestIndex < o.bestIndex)
                    || Double.isNaN(o.best);
            ImageBest b = mine ? this : o;
            return new ImageBest(image, b.bestIndex, b.best, Double.isNaN(atDatasetBest) ? o.atDatasetBest
                    : atDatasetBest, noise, predictedIndex, Double.isNaN(atPredicted) ? o.atPredicted : atPredicted);
        }
    }

    /**
     * A fitted predictor of an image's best alpha from its input's noise estimate: {@code alpha = intercept + slope *
     * noise}, clamped to [0, 1], then the nearest alpha the sweep runs.
     */
    record Predictor(double intercept, double slope, long fittedOn, List<String> fitFrom) implements Serializable {
        double alpha(double noise) {
            return Math.min(1, Math.max(0, intercept + slope * noise));
        }

        /** The coefficient with the alpha nearest {@code alpha(noise)} (the lower on a tie). */
        int index(double noise, double[] alphas) {
            double a = alpha(noise);
            int best = 0;
            for (int k = 1; k < alphas.length; k++) {
                if (Math.abs(alphas[k] - a) < Math.abs(alphas[best] - a)) {
                    best = k;
                }
            }
            return best;
        }
    }

    /** The worst score at the dataset's best first (lowest, or highest for a lower-is-better metric), then by name. */
    record WorstFirst(Metric.Direction direction) implements Comparator<ImageBest>, Serializable {
        @Override
        public int compare(ImageBest a, ImageBest b) {
            int c = Double.compare(a.atDatasetBest(), b.atDatasetBest());
            if (direction == Metric.Direction.LOWER) {
                c = -c;
            }
            return c != 0 ? c : a.image().compareTo(b.image());
        }
    }

    /**
     * @param imagesPreferring images whose best is each coefficient (index to count; absent: none)
     * @param oracleMean       the mean of every image's own best score; NaN when a score is not finite
     * @param predictedMean    the mean score at each image's predicted coefficient; NaN without a predictor
     * @param worst            the worst images, worst first
     */
    record Result(Map<Integer, Long> imagesPreferring, double oracleMean, double predictedMean, List<ImageBest> worst) {
    }

    private PerImageBest() {
    }

    /** What the image pass writes: the score table and the per-image table, and how it formats both. */
    record Tables(String scoresCsv, String perImageCsv, List<Metric> metrics, CoefficientPlan coefficients)
            implements Serializable {
    }

    /** One row as the image pass receives it: the image, its coefficient, every metric's value, its input's noise. */
    record Score(String image, int index, double[] values, double noise) implements Serializable {
    }

    /** What the image pass found: counts per best coefficient, exact sums, the worst images. */
    record Partial(Map<Integer, Long> counts, BigDecimal bestSum, long bestFinite, BigDecimal predictedSum,
            long predictedFinite, long images, List<ImageBest> worst) implements Serializable {
    }

    /**
     * The score table ({@code psnr.csv}, by image then coefficient) and each image's best ({@code per_image.csv} and
     * the aggregates) in one Spark job: the scores sorted by image and coefficient into one task, which streams both
     * files ({@link ImagePass}). {@code metric} picks the best ({@code datasetBest} is its best coefficient);
     * {@code predictor} may be null.
     */
    static Result of(JavaRDD<Row> scores, Metric metric, int datasetBest, int worst, Predictor predictor,
            Tables tables, Map<String, String> hadoop) {
        List<String> columns = tables.metrics().stream().map(Metric::column).toList();
        JavaPairRDD<String, Score> keyed = scores.mapToPair(r -> {
            double[] v = new double[columns.size()];
            for (int m = 0; m < v.length; m++) {
                v[m] = r.<Double>getAs(columns.get(m));
            }
            Double noise = r.getAs(SweepJob.NOISE);
            return new Tuple2<>(ResultFiles.key(Outcomes.image(r), Outcomes.index(r)),
                    new Score(Outcomes.image(r), Outcomes.index(r), v, noise == null ? Double.NaN : noise));
        });
        ImagePass pass = new ImagePass(tables, metric, datasetBest, worst, predictor);
        Partial p = keyed.sortByKey(true, 1).values().mapPartitions(it -> {
            Partial[] result = new Partial[1];
            Configuration conf = Storage.configuration(hadoop);
            Storage.writeAtomically(tables.scoresCsv(), scoresOut -> Storage.writeAtomically(tables.perImageCsv(),
                    perImageOut -> result[0] = pass.write(it, scoresOut, perImageOut), conf), conf);
            return List.of(result[0]).iterator();
        }).collect().get(0);
        double oracle = p.images() == 0 || p.bestFinite() != p.images() ? Double.NaN
                : p.bestSum().divide(BigDecimal.valueOf(p.bestFinite()), MathContext.DECIMAL128).doubleValue();
        double predictedMean = predictor == null || p.images() == 0 || p.predictedFinite() != p.images() ? Double.NaN
                : p.predictedSum().divide(BigDecimal.valueOf(p.predictedFinite()), MathContext.DECIMAL128)
                        .doubleValue();
        return new Result(p.counts(), oracle, predictedMean, p.worst());
    }

    /**
     * The one task of the image pass: its rows arrive sorted by image, then coefficient; each becomes a line of the
     * score table, and each image, as its last row passes, a line of the per-image table and a fold into the
     * aggregates.
     */
    record ImagePass(Tables tables, Metric metric, int datasetBest, int worst, Predictor predictor)
            implements Serializable {
        Partial write(Iterator<Score> rows, OutputStream scoresOut, OutputStream perImageOut) throws IOException {
            CoefficientPlan coefficients = tables.coefficients();
            double[] alphas = alphas(coefficients);
            List<String> labels = coefficients.labels();
            int picking = tables.metrics().indexOf(metric);
            Writer scores = new OutputStreamWriter(scoresOut, StandardCharsets.UTF_8);
            Writer perImage = new OutputStreamWriter(perImageOut, StandardCharsets.UTF_8);
            scores.write("image,index,label,alpha,coefficients," + String.join(",", tables.metrics().stream()
                    .map(Metric::column).toList()) + "\n");
            List<String> header = new ArrayList<>(List.of("image", "input_noise", "best_index", "best_label",
                    "best_alpha", "best_" + metric.column(), "at_dataset_best"));
            if (predictor != null) {
                header.addAll(List.of("predicted_alpha", "predicted_index", "predicted_label", "at_predicted"));
            }
            perImage.write(String.join(",", header) + "\n");
            Fold fold = new Fold(worst, metric.direction());
            ImageBest current = null;
            while (rows.hasNext()) {
                Score sc = rows.next();
                scores.write(ResultRows.scoreLine(sc.image(), coefficients.get(sc.index()), sc.values(),
                        tables.metrics()) + "\n");
                double v = sc.values()[picking];
                int k = sc.index();
                int predicted = predictor == null ? -1 : predictor.index(sc.noise(), alphas);
                ImageBest one = new ImageBest(sc.image(), k, v, k == datasetBest ? v : Double.NaN, sc.noise(),
                        predicted, k == predicted ? v : Double.NaN);
                if (current != null && !current.image().equals(sc.image())) {
                    perImage.write(line(current, labels, alphas, predictor) + "\n");
                    fold.add(current);
                    current = null;
                }
                current = current == null ? one : current.merge(one, metric.direction());
            }
            if (current != null) {
                perImage.write(line(current, labels, alphas, predictor) + "\n");
                fold.add(current);
            }
            scores.flush();
            perImage.flush();
            return fold.partial();
        }
    }

    /** Each coefficient's alpha, NaN where it has none. */
    private static double[] alphas(CoefficientPlan coefficients) {
        double[] alphas = new double[coefficients.size()];
        for (int k = 0; k < alphas.length; k++) {
            Double a = coefficients.get(k).alpha();
            alphas[k] = a == null ? Double.NaN : a;
        }
        return alphas;
    }

    /** Folds images into the pass's aggregates: counts, exact sums of finite scores, the {@code worst} worst. */
    private static final class Fold {
        private final int worst;
        private final WorstFirst order;
        private final java.util.PriorityQueue<ImageBest> kept;
        private final Map<Integer, Long> counts = new java.util.HashMap<>();
        private BigDecimal bestSum = BigDecimal.ZERO;
        private long bestFinite;
        private BigDecimal predictedSum = BigDecimal.ZERO;
        private long predictedFinite;
        private long images;

        Fold(int worst, Metric.Direction direction) {
            this.worst = worst;
            this.order = new WorstFirst(direction);
            this.kept = new java.util.PriorityQueue<>(Math.max(1, worst), order.reversed());
        }

        void add(ImageBest b) {
            images++;
            counts.merge(b.bestIndex(), 1L, Long::sum);
            if (Double.isFinite(b.best())) {
                bestSum = bestSum.add(new BigDecimal(b.best()));
                bestFinite++;
            }
            if (Double.isFinite(b.atPredicted())) {
                predictedSum = predictedSum.add(new BigDecimal(b.atPredicted()));
                predictedFinite++;
            }
            if (worst > 0) {
                kept.add(b);
                if (kept.size() > worst) {
                    kept.poll();
                }
            }
        }

        Partial partial() {
            List<ImageBest> w = new ArrayList<>(kept);
            w.sort(order);
            return new Partial(counts, bestSum, bestFinite, predictedSum, predictedFinite, images, w);
        }
    }

    private static String line(ImageBest b, List<String> labels, double[] alphas, Predictor predictor) {
        List<Object> v = new ArrayList<>(List.of(b.image(), Csv.decimals4(b.noise()), b.bestIndex(),
                labels.get(b.bestIndex()), Double.isNaN(alphas[b.bestIndex()]) ? ""
                        : CoefficientPlan.format(alphas[b.bestIndex()]), Csv.decimals6(b.best()),
                Csv.decimals6(b.atDatasetBest())));
        if (predictor != null) {
            v.add(Csv.decimals6(predictor.alpha(b.noise())));
            v.add(b.predictedIndex());
            v.add(labels.get(b.predictedIndex()));
            v.add(Csv.decimals6(b.atPredicted()));
        }
        return Csv.line(v.toArray());
    }
}
