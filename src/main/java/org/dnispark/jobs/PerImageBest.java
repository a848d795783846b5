package org.dnispark.jobs;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Each image's own best coefficient in a sweep, reduced by Spark to what a report needs: how many images prefer each
 * coefficient, the mean score when every image gets its own best (the per-image oracle), and the worst images at the
 * dataset's best coefficient. The driver receives one count per coefficient and {@code worst} rows, whatever the
 * number of images; the oracle's mean is summed exactly, so it does not depend on partitioning.
 */
final class PerImageBest {
    /** One image: its best coefficient and score, and its score at the dataset's best coefficient. */
    record ImageBest(String image, int bestIndex, double best, double atDatasetBest) implements Serializable {
        ImageBest merge(ImageBest o) {
            boolean mine = best > o.best || (best == o.best && bestIndex < o.bestIndex) || Double.isNaN(o.best);
            ImageBest b = mine ? this : o;
            return new ImageBest(image, b.bestIndex, b.best,
                    Double.isNaN(atDatasetBest) ? o.atDatasetBest : atDatasetBest);
        }
    }

    /** Lowest score at the dataset's best first, then by name. */
    static final class WorstFirst implements Comparator<ImageBest>, Serializable {
        @Override
        public int compare(ImageBest a, ImageBest b) {
            int c = Double.compare(a.atDatasetBest(), b.atDatasetBest());
            return c != 0 ? c : a.image().compareTo(b.image());
        }
    }

    /**
     * @param imagesPreferring images whose best is each coefficient (index to count; absent: none)
     * @param oracleMean       the mean of every image's own best score; NaN when a score is not finite
     * @param worst            the worst images, worst first
     */
    record Result(Map<Integer, Long> imagesPreferring, double oracleMean, List<ImageBest> worst) {
    }

    private PerImageBest() {
    }

    /** {@code column}: the metric's column in the accepted outcome rows; {@code datasetBest}: its best index. */
    static Result of(JavaRDD<Row> scores, int column, int datasetBest, int worst) {
        JavaRDD<ImageBest> perImage = scores.mapToPair(r -> {
            double v = r.getDouble(column);
            int k = r.getInt(2);
            return new Tuple2<>(r.getString(0), new ImageBest(r.getString(0), k, v, k == datasetBest ? v
                    : Double.NaN));
        }).reduceByKey(ImageBest::merge).values().cache();
        try {
            Map<Integer, Long> counts = perImage.map(ImageBest::bestIndex).countByValue();
            BigDecimal[] sum = perImage.map(b -> Double.isFinite(b.best()) ? new BigDecimal[] {
                new BigDecimal(b.best()), BigDecimal.ONE} : new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO})
                    .reduce((a, b) -> new BigDecimal[] {a[0].add(b[0]), a[1].add(b[1])});
            long images = counts.values().stream().mapToLong(Long::longValue).sum();
            double oracle = sum[1].longValueExact() != images ? Double.NaN
                    : sum[0].divide(sum[1], MathContext.DECIMAL128).doubleValue();
            List<ImageBest> worstImages = worst == 0 ? List.of() : perImage.takeOrdered(worst, new WorstFirst());
            return new Result(counts, oracle, worstImages);
        } finally {
            perImage.unpersist(false);
        }
    }
}
