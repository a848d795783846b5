package org.dnispark.report;

import java.util.List;

import org.dnispark.results.SweepResults;
import org.dnispark.results.SweepResults.CoefficientScores;

/** A sweep's results with where each coefficient sits on the x axis: along alpha (two models) or by index. */
record SweepCurve(SweepResults results, double[] x, boolean alpha) {
    static SweepCurve of(RunFolder r) {
        SweepResults s;
        try {
            s = SweepResults.of(r.results());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run " + r.uri() + ": " + e.getMessage(), e);
        }
        boolean alpha = s.alongAlpha();
        List<CoefficientScores> rows = s.perCoefficient();
        double[] x = new double[rows.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = alpha ? rows.get(i).alpha() : rows.get(i).index();
        }
        return new SweepCurve(s, x, alpha);
    }

    List<CoefficientScores> rows() {
        return results.perCoefficient();
    }

    /** Each coefficient's mean of {@code column} (NaN where it was not scored). */
    double[] means(String column) {
        return rows().stream().mapToDouble(c -> c.mean(column)).toArray();
    }

    /** One figure of each coefficient's spread of {@code column}, or null for runs from before spreads. */
    double[] spread(String column, java.util.function.ToDoubleFunction<SweepResults.Spread> field) {
        double[] v = new double[rows().size()];
        for (int i = 0; i < v.length; i++) {
            SweepResults.Spread s = rows().get(i).spreads().get(column);
            if (s == null) {
                return null;
            }
            v[i] = field.applyAsDouble(s);
        }
        return v;
    }

    /** Whether this sweep scored {@code column} (runs from before SSIM, for one, did not). */
    boolean scored(String column) {
        return rows().get(0).means().containsKey(column);
    }

    Charts.Curve curve(String name, String column) {
        return new Charts.Curve(name, x, means(column), spread(column, SweepResults.Spread::q1),
                spread(column, SweepResults.Spread::q3), spread(column, SweepResults.Spread::min),
                spread(column, SweepResults.Spread::max));
    }

    String xLabel() {
        return alpha ? "alpha (0: first model, 1: last model)" : "coefficient index";
    }

    /** Where a coefficient sits on the x axis. */
    double x(CoefficientScores c) {
        return alpha ? c.alpha() : c.index();
    }

    /** "best α = 0.4", or "best: 3" for coefficients not along alpha. */
    String bestLabel() {
        return (alpha ? "best α = " : "best: ") + results.best().label();
    }
}
