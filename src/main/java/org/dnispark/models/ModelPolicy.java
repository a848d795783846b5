package org.dnispark.models;

import org.dnispark.formats.ReadLimits;

/**
 * What a command allows the model files it reads: the resource bounds every reader checks, and whether a model's
 * own code (a TorchScript archive's {@code code/} records, which libtorch runs) may run in the job at all.
 *
 * @param limits    {@code dni.limits.*}
 * @param trustCode {@code dni.trust-code}: false (the default) refuses to run TorchScript; reading and rewriting an
 *                  archive's tensors (interpolate) never runs it either way
 */
public record ModelPolicy(ReadLimits limits, boolean trustCode) {
    /** The defaults of reference.conf: default limits, no code. */
    public static final ModelPolicy DEFAULT = new ModelPolicy(ReadLimits.DEFAULT, false);
}
