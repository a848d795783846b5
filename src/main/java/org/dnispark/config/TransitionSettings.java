package org.dnispark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.provenance.Placement;

/**
 * The transition job: one frame per coefficient for every image, and a contact strip.
 *
 * @param stripHeight {@code dni.transition.strip-height}: pixel height of each frame on the strip
 */
public record TransitionSettings(ImageRunSettings run, CoefficientPlan coefficients, Method method,
        @Placement String output, int stripHeight) implements ImageJobSettings {

    @Override
    public String command() {
        return "transition";
    }

    public static TransitionSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            ImageRunSettings run = ImageRunSettings.read(r);
            return new TransitionSettings(run, CoefficientReader.read(r, "dni.transition", run.common()),
                    Method.read(r, "dni.transition.method"),
                    r.nonBlank("dni.transition.output", "an output folder URI"),
                    r.intIn("dni.transition.strip-height", 16, 4096));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
