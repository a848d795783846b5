package org.dnispark.config;

import java.io.Serializable;

/**
 * {@code dni.align}: whether every model is permuted to line up with the first before anything is built from them
 * (weight matching, {@link org.dnispark.align.WeightMatching}), and how hard to search. Part of the run's identity:
 * aligned models interpolate into different weights.
 *
 * @param enabled   {@code dni.align.enabled}
 * @param maxPasses {@code dni.align.max-passes}: coordinate-descent passes over the layers at most
 * @param seed      {@code dni.align.seed}: the order in which each pass visits the layers
 */
public record AlignSettings(boolean enabled, int maxPasses, long seed) implements Serializable {

    /** The models, aligned to the first when enabled. */
    public org.dnispark.models.ModelSet apply(org.dnispark.models.ModelSet models) {
        return enabled ? models.aligned(maxPasses, seed) : models;
    }

    public static AlignSettings read(SettingsReader r) {
        return new AlignSettings(r.bool("dni.align.enabled"), r.intIn("dni.align.max-passes", 1, 10_000),
                r.longIn("dni.align.seed", Long.MIN_VALUE, Long.MAX_VALUE));
    }
}
