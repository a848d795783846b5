package org.dnispark.jobs;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import scala.Tuple2;

import org.dnispark.core.FilterCorrelation;

/**
 * Per-coefficient statistics of a sweep's scores, computed by Spark: each coefficient's scores are gathered in one
 * task (several coefficients may share one), sorted, and reduced in that order. Means and standard deviations are
 * taken in image-name order, so they do not depend on how the images were partitioned (local and cluster runs agree
 * to the last bit, and the means equal the driver-side sums of earlier versions); quantiles are exact, taken in the
 * same pass (a second pass sorted by value only for a coefficient of more than {@link #IN_MEMORY} images). The
 * driver collects one row per coefficient.
 */
final class SweepStatistics {
    /** One metric at one coefficient: count, mean, sample standard deviation and exact distribution. */
    record Stat(long count, double mean, double std, FilterCorrelation.Distribution distribution) implements Serializable {
    }

    /** A score sort key: coefficient, then metric (for the quantile pass), then image name or value. */
    record Key(int index, int metric, String image, double value) implements Serializable {
    }

    /** Keys by coefficient, metric, image name, value. */
    static final class KeyOrder implements Comparator<Key>, Serializable {
        @Override
        public int compare(Key a, Key b) {
            int c = Integer.compare(a.index(), b.index());
            c = c != 0 ? c : Integer.compare(a.metric(), b.metric());
            c = c != 0 ? c : a.image().compareTo(b.image());
            return c != 0 ? c : Double.compare(a.value(), b.value());
        }
    }

    /** Every coefficient's keys in one partition. */
    static final class ByCoefficient extends Partitioner {
        private final int partitions;

        ByCoefficient(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return ((Key) key).index() % partitions;
        }
    }

    private final List<String> metrics;
    private final Stat[][] stats;

    private SweepStatistics(List<String> metrics, Stat[][] stats) {
        this.metrics = metrics;
        this.stats = stats;
    }

    /**
     * The most scores of one coefficient (per metric) the single pass holds to take exact quantiles; a coefficient
     * with more gets them from a second pass sorted by value, which spills to disk instead.
     */
    static final int IN_MEMORY = 1 << 20;

    private static final double[] QS = {0, 0.25, 0.5, 0.75, 1};

    /**
     * One coefficient's aggregates from the single pass: its index and count, then per metric the sum, Welford's mean
     * and sum of squares; and per metric the quantile picks ({@code [lo, hi]} for each of {@link #QS}), or null when
     * the coefficient has more than {@link #IN_MEMORY} scores.
     */
    record Partial(double[] moments, double[][] picks) implements Serializable {
    }

    /**
     * {@code scores}: accepted outcome rows (with their schema); {@code metrics}: the columns to summarise. One Spark
     * job: the scores are gathered by coefficient in image order, and each coefficient's moments and exact quantiles
     * are taken in that one pass (a second, sorted by value, only for a coefficient over {@link #IN_MEMORY}).
     */
    static SweepStatistics of(JavaRDD<org.apache.spark.sql.Row> scores, List<String> metrics, int coefficients) {
        int nm = metrics.size();
        ByCoefficient partitioner = new ByCoefficient(Math.max(1, Math.min(coefficients, 64)));
        // in image order: count, sum (the mean) and Welford's sum of squares for every metric, and the values
        FlatMapFunction<Iterator<Tuple2<Key, double[]>>, Partial> pass = it -> {
            List<Partial> out = new ArrayList<>();
            int index = -1;
            double[] acc = null;
            double[][] values = new double[nm][16];
            while (true) {
                Tuple2<Key, double[]> r = it.hasNext() ? it.next() : null;
                if (r == null || r._1().index() != index) {
                    if (acc != null) {
                        out.add(new Partial(acc, picks(values, (long) acc[1])));
                    }
                    if (r == null) {
                        break;
                    }
                    index = r._1().index();
                    acc = new double[2 + 3 * nm];
                    acc[0] = index;
                }
                double n = ++acc[1];
                for (int m = 0; m < nm; m++) {
                    double v = r._2()[m];
                    acc[2 + 3 * m] += v;
                    double mean = acc[3 + 3 * m];
                    double d = v - mean;
                    acc[3 + 3 * m] = mean + d / n;
                    acc[4 + 3 * m] += d * (v - acc[3 + 3 * m]);
                    if (n <= IN_MEMORY) {
                        if (n > values[m].length) {
                            values[m] = java.util.Arrays.copyOf(values[m], Math.min(2 * values[m].length, IN_MEMORY));
                        }
                        values[m][(int) n - 1] = v;
                    }
                }
            }
            return out.iterator();
        };
        List<Partial> partials = scores.mapToPair(r -> {
            double[] v = new double[nm];
            for (int m = 0; m < nm; m++) {
                v[m] = r.<Double>getAs(metrics.get(m));
            }
            return new Tuple2<>(new Key(Outcomes.index(r), 0, Outcomes.image(r), 0), v);
        }).repartitionAndSortWithinPartitions(partitioner, new KeyOrder()).mapPartitions(pass).collect();
        long[] counts = new long[coefficients];
        for (Partial p : partials) {
            counts[(int) p.moments()[0]] = (long) p.moments()[1];
        }
        List<double[]> picks = new ArrayList<>();
        boolean large = false;
        for (Partial p : partials) {
            if (p.picks() == null) {
                large = true;
            } else {
                for (int m = 0; m < nm; m++) {
                    double[] q = new double[2 + 2 * QS.length];
                    q[0] = p.moments()[0];
                    q[1] = m;
                    System.arraycopy(p.picks()[m], 0, q, 2, 2 * QS.length);
                    picks.add(q);
                }
            }
        }
        if (large) {
            picks.removeIf(q -> counts[(int) q[0]] > IN_MEMORY);
            picks.addAll(sortedPicks(scores.filter(r -> counts[Outcomes.index(r)] > IN_MEMORY), metrics, counts,
                    partitioner));
        }
        Stat[][] stats = new Stat[nm][coefficients];
        double[][][] quantiles = new double[nm][coefficients][QS.length];
        for (double[] p : picks) {
            long n = counts[(int) p[0]];
            for (int q = 0; q < QS.length; q++) {
                double pos = QS[q] * (n - 1);
                double lo = p[2 + 2 * q];
                quantiles[(int) p[1]][(int) p[0]][q] = lo + (pos - Math.floor(pos)) * (p[3 + 2 * q] - lo);
            }
        }
        for (Partial part : partials) {
            double[] a = part.moments();
            int k = (int) a[0];
            long n = (long) a[1];
            for (int m = 0; m < nm; m++) {
                double mean = a[2 + 3 * m] / n;
                double[] q = quantiles[m][k];
                stats[m][k] = new Stat(n, mean, Math.sqrt(n > 1 ? a[4 + 3 * m] / (n - 1) : 0),
                        new FilterCorrelation.Distribution(q[0], q[1], q[2], q[3], q[4], mean));
            }
        }
        return new SweepStatistics(metrics, stats);
    }

    /** The quantile picks of each metric's first {@code n} values (sorted here), or null when over the limit. */
    private static double[][] picks(double[][] values, long n) {
        if (n > IN_MEMORY) {
            return null;
        }
        double[][] out = new double[values.length][2 * QS.length];
        for (int m = 0; m < values.length; m++) {
            double[] sorted = java.util.Arrays.copyOf(values[m], (int) n);
            // the same total order as the sorted pass (Double.compare)
            java.util.Arrays.sort(sorted);
            for (int q = 0; q < QS.length; q++) {
                int lo = (int) Math.floor(QS[q] * (n - 1));
                out[m][2 * q] = sorted[lo];
                out[m][2 * q + 1] = lo + 1 < n ? sorted[lo + 1] : sorted[lo];
            }
        }
        return out;
    }

    /** The quantile picks from a pass sorted by value per coefficient and metric (spills, for large coefficients). */
    private static List<double[]> sortedPicks(JavaRDD<org.apache.spark.sql.Row> scores, List<String> metrics,
            long[] counts, ByCoefficient partitioner) {
        int nm = metrics.size();
        FlatMapFunction<Iterator<Tuple2<Key, Double>>, double[]> pick = it -> {
            List<double[]> out = new ArrayList<>();
            double[] acc = null;
            long position = 0;
            while (true) {
                Tuple2<Key, Double> r = it.hasNext() ? it.next() : null;
                if (r == null || acc == null || r._1().index() != (int) acc[0] || r._1().metric() != (int) acc[1]) {
                    if (acc != null) {
                        out.add(acc);
                    }
                    if (r == null) {
                        break;
                    }
                    acc = new double[2 + 2 * QS.length];
                    acc[0] = r._1().index();
                    acc[1] = r._1().metric();
                    position = 0;
                }
                long n = counts[r._1().index()];
                for (int q = 0; q < QS.length; q++) {
                    long lo = (long) Math.floor(QS[q] * (n - 1));
                    if (position == lo) {
                        acc[2 + 2 * q] = r._2();
                        acc[3 + 2 * q] = r._2();
                    } else if (position == lo + 1) {
                        acc[3 + 2 * q] = r._2();
                    }
                }
                position++;
            }
            return out.iterator();
        };
        return scores.flatMapToPair(r -> {
            List<Tuple2<Key, Double>> out = new ArrayList<>();
            for (int m = 0; m < nm; m++) {
                double v = r.<Double>getAs(metrics.get(m));
                out.add(new Tuple2<>(new Key(Outcomes.index(r), m, "", v), v));
            }
            return out.iterator();
        }).repartitionAndSortWithinPartitions(partitioner, new KeyOrder()).mapPartitions(pick).collect();
    }

    Stat stat(String metric, int k) {
        return stats[metrics.indexOf(metric)][k];
    }

    long count(int k) {
        return stats[0][k].count();
    }
}
