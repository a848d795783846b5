package org.dnispark.jobs;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.metrics.Metric;

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

    /**
     * {@code metric}: the metric that picks the best (its column in the accepted outcome rows, and its direction);
     * {@code datasetBest}: its best index; {@code predictor} may be null. Writes {@code per_image.csv} to
     * {@code csv}.
     */
    static Result of(JavaRDD<Row> scores, Metric metric, int datasetBest, int worst, Predictor predictor,
            CoefficientPlan coefficients, String csv) {
        String column = metric.column();
        Metric.Direction direction = metric.direction();
        double[] alphas = new double[coefficients.size()];
        for (int k = 0; k < alphas.length; k++) {
            Double a = coefficients.get(k).alpha();
            alphas[k] = a == null ? Double.NaN : a;
        }
        JavaRDD<ImageBest> perImage = scores.mapToPair(r -> {
            double v = r.<Double>getAs(column);
            int k = Outcomes.index(r);
            Double measured = r.getAs(SweepJob.NOISE);
            double noise = measured == null ? Double.NaN : measured;
            int predicted = predictor == null ? -1 : predictor.index(noise, alphas);
            return new Tuple2<>(Outcomes.image(r), new ImageBest(Outcomes.image(r), k, v, k == datasetBest ? v
                    : Double.NaN, noise, predicted, k == predicted ? v : Double.NaN));
        }).reduceByKey((a, b) -> a.merge(b, direction)).values().cache();
        try {
            Map<Integer, Long> counts = perImage.map(ImageBest::bestIndex).countByValue();
            long images = counts.values().stream().mapToLong(Long::longValue).sum();
            double oracle = exactMean(perImage.map(ImageBest::best), images);
            double predicted = predictor == null ? Double.NaN : exactMean(perImage.map(ImageBest::atPredicted), images);
            List<ImageBest> worstImages = worst == 0 ? List.of() : perImage.takeOrdered(worst, new WorstFirst(direction));
            List<String> header = new ArrayList<>(List.of("image", "input_noise", "best_index", "best_label",
                    "best_alpha", "best_" + column, "at_dataset_best"));
            if (predictor != null) {
                header.addAll(List.of("predicted_alpha", "predicted_index", "predicted_label", "at_predicted"));
            }
            List<String> labels = coefficients.labels();
            ResultFiles.sortedCsv(perImage.map(b -> org.apache.spark.sql.RowFactory.create(b.image(), line(b,
                    labels, alphas, predictor))), String.join(",", header), new ResultFiles.Line() {
                        @Override
                        public String key(Row r) {
                            return r.getString(0);
                        }

                        @Override
                        public String line(Row r) {
                            return r.getString(1);
                        }
                    }, csv);
            return new Result(counts, oracle, predicted, worstImages);
        } finally {
            perImage.unpersist(false);
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

    /** The exact mean of the values, or NaN unless every one of {@code count} values is finite. */
    private static double exactMean(JavaRDD<Double> values, long count) {
        BigDecimal[] sum = values.map(x -> Double.isFinite(x) ? new BigDecimal[] {new BigDecimal(x), BigDecimal.ONE}
                : new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO})
                .fold(new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO},
                        (a, b) -> new BigDecimal[] {a[0].add(b[0]), a[1].add(b[1])});
        return count == 0 || sum[1].longValueExact() != count ? Double.NaN
                : sum[0].divide(sum[1], MathContext.DECIMAL128).doubleValue();
    }
}
