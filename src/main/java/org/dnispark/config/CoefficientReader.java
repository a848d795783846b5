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
        long limit = r.longIn("dni.limits.coefficients", 1, 1_000_000);
        CoefficientPlan plan;
        if (!explicit.isEmpty()) {
            requireAtMost(explicit.size(), limit, block + ".coefficients");
            plan = CoefficientPlan.ofVectors(explicit, models);
        } else if (pathStep > 0) {
            if (pathStep > 1) {
                throw new SettingsException(block + ".path-step", "a step in (0, 1]", pathStep);
            }
            requireAtMost((models - 1) * gridSize(0, 1, pathStep), limit, block + ".path-step");
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
                requireAtMost(gridSize(start, end, step), limit, block + ".alpha-grid");
                try {
                    alphas = Coefficients.grid(start, end, step);
                } catch (IllegalArgumentException e) {
                    throw new SettingsException(block + ".alpha-grid", "finite start <= end and step > 0",
                            "start=" + start + " end=" + end + " step=" + step);
                }
            }
            requireAtMost(alphas.size(), limit, block + ".alphas");
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
        plan = ScheduleReader.apply(r, block, common, plan);
        if (plan.hasSchedules()) {
            if (r.string(block + ".method").equals("pixel")) {
                throw new SettingsException(block + ".method = pixel blends output images, which have no layers; "
                        + "per-layer schedules need method = dni");
            }
            if (common.renormalise().enabled()) {
                throw new SettingsException("dni.renormalise does not take per-layer schedules yet; turn one off");
            }
        }
        return plan;
    }

    /** How many points a grid has, computed before any is made (a step of 1e-9 would make a billion). */
    private static double gridSize(double start, double end, double step) {
        return step > 0 && end >= start ? Math.floor((end - start) / step + 1e-9) + 1 : 1;
    }

    /**
     * Every coefficient costs a set of weights on the driver and a pass over every image: an accidental million is
     * refused before anything is built, naming the key that raises the limit.
     */
    private static void requireAtMost(double count, long limit, String key) {
        if (count > limit) {
            throw new SettingsException(key, "at most " + limit + " coefficient vectors (dni.limits.coefficients)",
                    String.format(java.util.Locale.ROOT, "%.0f vectors", count));
        }
    }
}
