package org.dnispark.arch;

import java.io.Serializable;

import ai.djl.ndarray.NDManager;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.ImageNetwork;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.NetworkGeometry;

/**
 * One built-in architecture, as {@link ArchitectureRegistry} lists it: an id, what its state dicts look like (for
 * error messages), and its detection from a state dict's key names and shapes, beside the network's own code.
 *
 * @param id          short stable name, recorded in manifests
 * @param description the keys and shapes that identify it, for the "known architectures" text of errors
 * @param detector    the network for a state dict of this architecture, or null when the state dict is not one
 * @param permutations which hidden channels of a state dict of this architecture can be reordered together (for
 *                    {@code jobs/dni align}); it throws, naming why, when the architecture's ties are not expressed
 */
public record Architecture(String id, String description, Detector detector, Permutations permutations) {

    /** The permutation spec of a state dict this architecture detected; an error naming why when it has none. */
    @FunctionalInterface
    public interface Permutations {
        PermutationSpec spec(ModelWeights weights);
    }

    /** For architectures whose channel ties alignment does not express: a refusal that says why. */
    public static Permutations refused(String id, String why) {
        return w -> {
            throw new IllegalArgumentException("architecture " + id + " cannot be aligned: " + why);
        };
    }

    /** Recognises the architecture from a state dict; null when the keys or shapes do not fit. */
    @FunctionalInterface
    public interface Detector {
        NetworkSpec detect(ModelWeights weights);
    }

    /** A serialisable network factory, so that executors can build the network from the spec. */
    @FunctionalInterface
    public interface Factory extends Serializable {
        ImageNetwork create(NDManager manager);
    }

    /** What a detector returns: the network's name with its hyper-parameters, its geometry and its factory. */
    public record BuiltIn(String name, NetworkGeometry geometry, Factory factory) implements NetworkSpec {
        @Override
        public ImageNetwork create(NDManager manager) {
            return factory.create(manager);
        }
    }
}
