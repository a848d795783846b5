package org.dnispark.config;

import org.dnispark.core.CoefficientPlan;

/** The settings of a Spark job over images: a {@link TransitionSettings} or a {@link SweepSettings}. */
public sealed interface ImageJobSettings permits TransitionSettings, SweepSettings {
    /** "transition" or "sweep": the command, and the configuration block its own keys live in. */
    String command();

    ImageRunSettings run();

    CoefficientPlan coefficients();

    Method method();

    /** The run's output folder URI. */
    String output();

    default CommonSettings common() {
        return run().common();
    }
}
