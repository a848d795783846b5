package org.dnispark.report;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** A sweep's per-coefficient rows, and whether they are along alpha (two models) or by index. */
record SweepCurve(List<JsonNode> rows, double[] x, boolean alpha) {
    static SweepCurve of(RunFolder r) {
        List<JsonNode> rows = new ArrayList<>();
        r.results().path("per_coefficient").forEach(rows::add);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("run " + r.uri() + ": summary.json has no per_coefficient rows");
        }
        boolean alpha = rows.stream().allMatch(n -> n.path("alpha").isNumber());
        double[] x = new double[rows.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = alpha ? rows.get(i).path("alpha").asDouble() : rows.get(i).path("index").asDouble();
        }
        return new SweepCurve(rows, x, alpha);
    }

    double[] values(String field) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rows.get(i).path(field).asDouble(Double.NaN);
        }
        return v;
    }

    double[] spread(String metric, String field) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode s = rows.get(i).path(metric + "_spread");
            if (!s.has(field)) {
                return null;
            }
            v[i] = s.path(field).asDouble();
        }
        return v;
    }

    Charts.Curve curve(String name, String metric) {
        return new Charts.Curve(name, x, values("mean_" + metric), spread(metric, "q1"), spread(metric, "q3"),
                spread(metric, "min"), spread(metric, "max"));
    }

    String xLabel() {
        return alpha ? "alpha (0: first model, 1: last model)" : "coefficient index";
    }

    /** Where the row sits on the x axis. */
    double x(JsonNode row) {
        return alpha ? row.path("alpha").asDouble() : row.path("index").asDouble();
    }
}
