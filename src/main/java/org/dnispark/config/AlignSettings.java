package org.dnispark.config;

import java.io.Serializable;

/**
 * {@code dni.align}: whether every model is permuted to line up with the first before anything is built from them,
 * and how. Part of the run's identity: aligned models interpolate into different weights.
 *
 * @param enabled   {@code dni.align.enabled}
 * @param method    {@code dni.align.method}: weights (weight matching) or activations (activation matching)
 * @param maxPasses {@code dni.align.max-passes}: weight matching's coordinate-descent passes over the layers at most
 * @param seed      {@code dni.align.seed}: the order in which each pass visits the layers
 * @param images    {@code dni.align.images}: activation matching's folder of images; empty means the run's
 *                  {@code dni.input.images} (interpolate, correlate and align need one)
 * @param count     {@code dni.align.count}: how many of them (the first in name order)
 * @param crop      {@code dni.align.crop}: the side of the clean centre crop taken from each
 */
public record AlignSettings(boolean enabled, Method method, int maxPasses, long seed, String images, int count,
        int crop) implements Serializable {

    /** How B's order is found. */
    public enum Method {
        WEIGHTS, ACTIVATIONS
    }

    public static AlignSettings read(SettingsReader r) {
        return new AlignSettings(r.bool("dni.align.enabled"), r.choice("dni.align.method", SettingsReader.choices(
                "weights", Method.WEIGHTS, "activations", Method.ACTIVATIONS)),
                r.intIn("dni.align.max-passes", 1, 10_000), r.longIn("dni.align.seed", Long.MIN_VALUE, Long.MAX_VALUE),
                r.string("dni.align.images"), r.intIn("dni.align.count", 1, 1000), r.intIn("dni.align.crop", 8, 4096));
    }
}
