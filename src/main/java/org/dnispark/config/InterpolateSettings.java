package org.dnispark.config;

import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.provenance.Placement;

/**
 * The interpolate command: one interpolated model written where PyTorch tools can take it.
 *
 * @param common      models, cache, interpolation, storage and output policy
 * @param coefficient the one coefficient vector: {@code dni.interpolate.coefficients}, or {@code alpha} for two
 *                    models
 * @param output      {@code dni.interpolate.output}: the URI prefix of the files written
 * @param renormaliseInputs with {@code dni.renormalise.enabled}, {@code dni.degradation} and {@code dni.seed}, which
 *                    make the images renormalisation measures on; null otherwise
 * @param layout      {@code dni.interpolate.layout}: the key layout of the files written (ESRGAN models); empty for
 *                    the first model's
 */
public record InterpolateSettings(CommonSettings common, CoefficientPlan coefficient, @Placement String output,
        RenormaliseInputs renormaliseInputs, String layout) {

    /** The degradation and seed applied to renormalisation's images, as a sweep would apply them to its inputs. */
    public record RenormaliseInputs(java.util.List<org.dnispark.image.DegradationStep> degradation, long seed) {
    }

    public static InterpolateSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            CommonSettings common = CommonSettings.read(r);
            int models = common.models().size();
            List<Double> vector = r.numbers("dni.interpolate.coefficients");
            CoefficientPlan plan;
            if (!vector.isEmpty()) {
                plan = CoefficientPlan.ofVectors(List.of(vector.stream().mapToDouble(Double::doubleValue).toArray()),
                        models);
            } else if (models == 2) {
                plan = CoefficientPlan.ofAlphas(List.of(r.number("dni.interpolate.alpha")));
            } else {
                throw new SettingsException("dni.interpolate.coefficients: " + models + " models need an explicit "
                        + "coefficient vector");
            }
            try {
                plan.validate(models, common.interpolation().allowExtrapolation());
            } catch (IllegalArgumentException e) {
                throw new SettingsException("dni.interpolate: " + e.getMessage());
            }
            plan = ScheduleReader.applyToInterpolate(r, common, plan);
            if (plan.hasSchedules() && common.renormalise().enabled()) {
                throw new SettingsException("dni.renormalise does not take per-layer schedules yet; turn one off");
            }
            RenormaliseInputs inputs = null;
            if (common.renormalise().enabled()) {
                if (common.renormalise().images().isEmpty()) {
                    throw new SettingsException("dni.renormalise.images", "a folder of images to measure the "
                            + "interpolated network's activations on (jobs/dni interpolate has no input images)", "");
                }
                inputs = new RenormaliseInputs(ImageInputSettings.degradation(resolved),
                        r.longIn("dni.seed", Long.MIN_VALUE, Long.MAX_VALUE));
            }
            String layout = r.string("dni.interpolate.layout").trim();
            if (!layout.isEmpty()) {
                try {
                    layout = org.dnispark.arch.EsrganLayout.named(layout).id();
                } catch (IllegalArgumentException e) {
                    throw new SettingsException("dni.interpolate.layout", "basicsr, esrgan, xinntao or empty (the "
                            + "first model's)", layout);
                }
            }
            return new InterpolateSettings(common, plan,
                    r.nonBlank("dni.interpolate.output", "an output URI prefix"), inputs, layout);
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }

    public double[] vector() {
        return coefficient.get(0).vector();
    }
}
