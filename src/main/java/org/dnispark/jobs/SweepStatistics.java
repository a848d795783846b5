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
 * to the last bit, and the means equal the driver-side sums of earlier versions); quantiles are exact, from a second
 * pass sorted by value. The driver collects one row per coefficient and metric.
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

    /** {@code scores}: accepted outcome rows (with their schema); {@code metrics}: the columns to summarise. */
    static SweepStatistics of(JavaRDD<org.apache.spark.sql.Row> scores, List<String> metrics, int coefficients) {
        int nm = metrics.size();
        ByCoefficient partitioner = new ByCoefficient(Math.max(1, Math.min(coefficients, 64)));
        // pass 1, in image order: count, sum (the mean) and Welford's sum of squares, for every metric
        FlatMapFunction<Iterator<Tuple2<Key, double[]>>, double[]> moments = it -> {
            List<double[]> out = new ArrayList<>();
            int index = -1;
            double[] acc = null;
            while (true) {
                Tuple2<Key, double[]> r = it.hasNext() ? it.next() : null;
                if (r == null || r._1().index() != index) {
                    if (acc != null) {
                        out.add(acc);
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
                }
            }
            return out.iterator();
        };
        List<double[]> sums = scores.mapToPair(r -> {
            double[] v = new double[nm];
            for (int m = 0; m < nm; m++) {
                v[m] = r.<Double>getAs(metrics.get(m));
            }
            return new Tuple2<>(new Key(Outcomes.index(r), 0, Outcomes.image(r), 0), v);
        }).repartitionAndSortWithinPartitions(partitioner, new KeyOrder()).mapPartitions(moments).collect();
        long[] counts = new long[coefficients];
        for (double[] a : sums) {
            counts[(int) a[0]] = (long) a[1];
        }
        // pass 2, in value order per metric: the exact quantiles at the positions the counts give
        double[] qs = {0, 0.25, 0.5, 0.75, 1};
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
                    acc = new double[2 + 2 * qs.length];
                    acc[0] = r._1().index();
                    acc[1] = r._1().metric();
                    position = 0;
                }
                long n = counts[r._1().index()];
                for (int q = 0; q < qs.length; q++) {
                    long lo = (long) Math.floor(qs[q] * (n - 1));
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
        List<double[]> picks = scores.flatMapToPair(r -> {
            List<Tuple2<Key, Double>> out = new ArrayList<>();
            for (int m = 0; m < nm; m++) {
                double v = r.<Double>getAs(metrics.get(m));
                out.add(new Tuple2<>(new Key(Outcomes.index(r), m, "", v), v));
            }
            return out.iterator();
        }).repartitionAndSortWithinPartitions(partitioner, new KeyOrder()).mapPartitions(pick).collect();
        Stat[][] stats = new Stat[nm][coefficients];
        double[][][] quantiles = new double[nm][coefficients][qs.length];
        for (double[] p : picks) {
            long n = counts[(int) p[0]];
            for (int q = 0; q < qs.length; q++) {
                double pos = qs[q] * (n - 1);
                double lo = p[2 + 2 * q];
                quantiles[(int) p[1]][(int) p[0]][q] = lo + (pos - Math.floor(pos)) * (p[3 + 2 * q] - lo);
            }
        }
        for (double[] a : sums) {
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

    Stat stat(String metric, int k) {
        return stats[metrics.indexOf(metric)][k];
    }

    long count(int k) {
        return stats[0][k].count();
    }
}
