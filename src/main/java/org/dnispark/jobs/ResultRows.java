package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.metrics.Metric;

/**
 * The rows of a sweep's per-image tables, made in the executors: {@code psnr.parquet} and {@code psnr.csv}, every
 * score of the sweep's metrics (by column name) after the image and its coefficient (label, alpha, vector). Also the
 * coefficient formatting the transition's tables share.
 */
final class ResultRows {
    private ResultRows() {
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
    record SweepParquetRow(CoefficientPlan coefficients, List<String> columns)
            implements org.apache.spark.api.java.function.Function<Row, Row> {
        @Override
        public Row call(Row r) {
            CoefficientPlan.Coefficient c = coefficients.get(Outcomes.index(r));
            Object[] v = new Object[5 + columns.size()];
            v[0] = Outcomes.image(r);
            v[1] = c.index();
            v[2] = c.label();
            v[3] = c.alpha();
            v[4] = boxed(c);
            for (int m = 0; m < columns.size(); m++) {
                v[5 + m] = r.<Double>getAs(columns.get(m));
            }
            return RowFactory.create(v);
        }
    }

    /** A line of psnr.csv: the image, its coefficient (index, label, alpha, vector) and every metric's score. */
    static String scoreLine(String image, CoefficientPlan.Coefficient c, double[] values, List<Metric> metrics) {
        List<Object> v = new ArrayList<>(List.of(image, c.index(), c.label(), alphaText(c), vector(c)));
        for (int m = 0; m < metrics.size(); m++) {
            v.add(metrics.get(m).format(values[m]));
        }
        return Csv.line(v.toArray());
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
