package org.dnispark.core;

import java.util.Locale;

/**
 * What interpolation does with integer tensors (for example batch norm's {@code num_batches_tracked}), which a
 * weighted sum would turn into fractions.
 */
public enum IntegerBufferRule {
    /** Take the value from the model with the largest coefficient (the first such model on ties). */
    LARGEST_COEFFICIENT,
    /** Require all models to hold the same values; anything else is an error. */
    REQUIRE_EQUAL,
    /** Interpolate in double precision and round half away from zero. */
    ROUND;

    /** Parses the configuration spelling ({@code largest-coefficient}, {@code require-equal}, {@code round}). */
    public static IntegerBufferRule parse(String text) {
        for (IntegerBufferRule r : values()) {
            if (r.configName().equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an integer buffer rule; expected one of "
                + "largest-coefficient, require-equal, round");
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
