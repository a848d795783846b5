package org.dnispark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.provenance.Placement;

/**
 * The transition job: one frame per coefficient for every image, and a contact strip.
 *
 * @param stripHeight     {@code dni.transition.strip-height}: pixel height of each frame on the strip
 * @param animationHeight {@code dni.transition.animation-height}: pixel height of the animated GIF; 0 writes none
 */
public record TransitionSettings(ImageRunSettings run, CoefficientPlan coefficients, Method method,
        @Placement String output, int stripHeight, int animationHeight) implements ImageJobSettings {

    @Override
    public String command() {
        return "transition";
    }

    private static int animationHeight(int h) {
        if (h > 0 && h < 16) {
            throw new SettingsException("dni.transition.animation-height", "0 (none) or 16..4096 pixels", h);
        }
        return h;
    }

    public static TransitionSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            ImageRunSettings run = ImageRunSettings.read(r);
            return new TransitionSettings(run, CoefficientReader.read(r, "dni.transition", run.common()),
                    Method.read(r, "dni.transition.method"),
                    r.nonBlank("dni.transition.output", "an output folder URI"),
                    r.intIn("dni.transition.strip-height", 16, 4096),
                    animationHeight(r.intIn("dni.transition.animation-height", 0, 4096)));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
