package org.dnispark.config;

import java.util.List;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.core.Coefficients;

/**
 * Reads a job's coefficient vectors from its block ({@code dni.transition} or {@code dni.sweep}): explicit
 * {@code coefficients}, else a {@code path-step} through three or more models, else {@code alphas}, else the
 * {@code alpha-grid}; every vector checked against the models.
 */
final class CoefficientReader {
    private CoefficientReader() {
    }

    static CoefficientPlan read(SettingsReader r, String block, CommonSettings common) {
        int models = common.models().size();
        boolean extrapolate = common.interpolation().allowExtrapolation();
        List<double[]> explicit = r.numberRows(block + ".coefficients", "[[0.5, 0.5]]");
        double pathStep = r.number(block + ".path-step");
        CoefficientPlan plan;
        if (!explicit.isEmpty()) {
            plan = CoefficientPlan.ofVectors(explicit, models);
        } else if (pathStep > 0) {
            if (pathStep > 1) {
                throw new SettingsException(block + ".path-step", "a step in (0, 1]", pathStep);
            }
            plan = CoefficientPlan.path(models, pathStep);
        } else if (models != 2) {
            throw new SettingsException(block + ".coefficients: " + models + " models need explicit coefficient "
                    + "vectors (one weight per model) or " + block + ".path-step > 0; alphas apply to two models only");
        } else {
            List<Double> alphas = r.numbers(block + ".alphas");
            if (alphas.isEmpty()) {
                double start = r.number(block + ".alpha-grid.start");
                double end = r.number(block + ".alpha-grid.end");
                double step = r.number(block + ".alpha-grid.step");
                try {
                    alphas = Coefficients.grid(start, end, step);
                } catch (IllegalArgumentException e) {
                    throw new SettingsException(block + ".alpha-grid", "finite start <= end and step > 0",
                            "start=" + start + " end=" + end + " step=" + step);
                }
            }
            for (double a : alphas) {
                if (!extrapolate && (a < 0 || a > 1)) {
                    throw new SettingsException(block + ".alphas", "finite values in [0, 1] (or "
                            + "dni.interpolation.allow-extrapolation = true)", a);
                }
            }
            plan = CoefficientPlan.ofAlphas(alphas);
        }
        try {
            plan.validate(models, extrapolate);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(block + " coefficients: " + e.getMessage());
        }
        return plan;
    }
}
