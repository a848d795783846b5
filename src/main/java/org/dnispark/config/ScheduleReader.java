package org.dnispark.config;

import java.util.ArrayList;
import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.core.Coefficients;
import org.dnispark.core.LayerSchedule;

/**
 * Per-layer schedules ({@link LayerSchedule}) from the settings: {@code dni.schedule.rules} (tensor-name patterns
 * with fixed alphas, for every job) and a job's own front/back alphas ({@code <block>.schedules},
 * {@code <block>.schedule-grid}, or {@code dni.interpolate.schedule}). Schedules mix two models.
 */
final class ScheduleReader {
    private ScheduleReader() {
    }

    /** {@code dni.schedule.rules}: each {@code {tensors = "glob", alpha = a}}, checked. */
    static List<LayerSchedule.Rule> rules(SettingsReader r, CommonSettings common) {
        String key = "dni.schedule.rules";
        List<? extends Config> list;
        try {
            list = r.config().getConfigList(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a list of {tensors = \"pattern\", alpha = number}",
                    r.config().getValue(key).render());
        }
        List<LayerSchedule.Rule> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Config c = list.get(i);
            String where = key + "[" + i + "]";
            if (!c.hasPath("tensors") || !c.hasPath("alpha") || c.root().size() != 2) {
                throw new SettingsException(where, "exactly {tensors = \"pattern\", alpha = number}",
                        c.root().render(com.typesafe.config.ConfigRenderOptions.concise()));
            }
            String pattern;
            double alpha;
            try {
                pattern = c.getString("tensors");
                alpha = c.getDouble("alpha");
            } catch (ConfigException.WrongType e) {
                throw new SettingsException(where, "tensors a string and alpha a number",
                        c.root().render(com.typesafe.config.ConfigRenderOptions.concise()));
            }
            if (pattern.isBlank()) {
                throw new SettingsException(where + ".tensors", "a glob over tensor names (e.g. conv_last.*)", "\"\"");
            }
            requireAlpha(where + ".alpha", alpha, common);
            out.add(new LayerSchedule.Rule(pattern, alpha));
        }
        if (!out.isEmpty() && common.models().size() != 2) {
            throw new SettingsException(key + ": schedules mix two models; " + common.models().size() + " are given");
        }
        return out;
    }

    /**
     * A transition's or sweep's coefficients with schedules applied: {@code <block>.schedules} (explicit
     * {@code [front, back]} pairs) or {@code <block>.schedule-grid} (every pair of a grid, front-major) replace the
     * alphas; otherwise rules alone turn each alpha into a uniform schedule with those rules. Unchanged without any.
     */
    static CoefficientPlan apply(SettingsReader r, String block, CommonSettings common, CoefficientPlan plan) {
        List<LayerSchedule.Rule> rules = rules(r, common);
        List<double[]> pairs = r.numberRows(block + ".schedules", "[[0.2, 0.8], [0.5, 0.5]]");
        double step = r.number(block + ".schedule-grid.step");
        if (!(step >= 0)) {
            throw new SettingsException(block + ".schedule-grid.step", "0 (off) or a step in (0, 1]", step);
        }
        if (!pairs.isEmpty() && step > 0) {
            throw new SettingsException(block + ".schedules and " + block + ".schedule-grid are both set; expected "
                    + "one of them");
        }
        if (step > 0) {
            double start = r.number(block + ".schedule-grid.start");
            double end = r.number(block + ".schedule-grid.end");
            List<Double> grid;
            try {
                grid = Coefficients.grid(start, end, step);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(block + ".schedule-grid", "finite start <= end and step > 0",
                        "start=" + start + " end=" + end + " step=" + step);
            }
            long limit = r.longIn("dni.limits.coefficients", 1, 1_000_000);
            if ((long) grid.size() * grid.size() > limit) {
                throw new SettingsException(block + ".schedule-grid", "at most " + limit
                        + " schedules (dni.limits.coefficients)", grid.size() * grid.size() + " (" + grid.size()
                        + " x " + grid.size() + ")");
            }
            for (double f : grid) {
                for (double b : grid) {
                    pairs.add(new double[] {f, b});
                }
            }
        }
        if (pairs.isEmpty() && rules.isEmpty()) {
            return plan;
        }
        if (common.models().size() != 2) {
            throw new SettingsException(block + ": per-layer schedules mix two models; " + common.models().size()
                    + " are given");
        }
        List<LayerSchedule> schedules = new ArrayList<>();
        if (!pairs.isEmpty()) {
            if (!r.numbers(block + ".alphas").isEmpty() || !r.numberRows(block + ".coefficients", "[[0.5, 0.5]]")
                    .isEmpty()) {
                throw new SettingsException(block + ".schedules: schedules replace the alphas; expected "
                        + block + ".alphas and " + block + ".coefficients to be empty");
            }
            for (int i = 0; i < pairs.size(); i++) {
                double[] p = pairs.get(i);
                if (p.length != 2) {
                    throw new SettingsException(block + ".schedules[" + i + "]", "[front, back] (two alphas)",
                            java.util.Arrays.toString(p));
                }
                requireAlpha(block + ".schedules[" + i + "]", p[0], common);
                requireAlpha(block + ".schedules[" + i + "]", p[1], common);
                schedules.add(new LayerSchedule(p[0], p[1], rules));
            }
        } else {
            for (CoefficientPlan.Coefficient c : plan.entries()) {
                if (!c.hasAlpha()) {
                    throw new SettingsException("dni.schedule.rules apply to alphas; " + block + " has coefficient "
                            + "vectors");
                }
                schedules.add(LayerSchedule.uniform(c.alpha(), rules));
            }
        }
        return CoefficientPlan.ofSchedules(schedules);
    }

    /** interpolate's one coefficient: {@code dni.interpolate.schedule = [front, back]}, or rules on its alpha. */
    static CoefficientPlan applyToInterpolate(SettingsReader r, CommonSettings common, CoefficientPlan plan) {
        List<LayerSchedule.Rule> rules = rules(r, common);
        List<Double> pair = r.numbers("dni.interpolate.schedule");
        if (pair.isEmpty() && rules.isEmpty()) {
            return plan;
        }
        if (common.models().size() != 2) {
            throw new SettingsException("dni.interpolate.schedule: per-layer schedules mix two models; "
                    + common.models().size() + " are given");
        }
        if (!pair.isEmpty()) {
            if (pair.size() != 2) {
                throw new SettingsException("dni.interpolate.schedule", "[front, back] (two alphas) or []", pair);
            }
            if (!r.numbers("dni.interpolate.coefficients").isEmpty()) {
                throw new SettingsException("dni.interpolate.schedule replaces the alpha; expected "
                        + "dni.interpolate.coefficients to be empty");
            }
            requireAlpha("dni.interpolate.schedule", pair.get(0), common);
            requireAlpha("dni.interpolate.schedule", pair.get(1), common);
            return CoefficientPlan.ofSchedules(List.of(new LayerSchedule(pair.get(0), pair.get(1), rules)));
        }
        CoefficientPlan.Coefficient c = plan.get(0);
        if (!c.hasAlpha()) {
            throw new SettingsException("dni.schedule.rules apply to an alpha; dni.interpolate.coefficients is a vector");
        }
        return CoefficientPlan.ofSchedules(List.of(LayerSchedule.uniform(c.alpha(), rules)));
    }

    private static void requireAlpha(String key, double alpha, CommonSettings common) {
        if (!Double.isFinite(alpha) || (!common.interpolation().allowExtrapolation() && (alpha < 0 || alpha > 1))) {
            throw new SettingsException(key, "alphas in [0, 1] (or dni.interpolation.allow-extrapolation = true)",
                    alpha);
        }
    }
}
