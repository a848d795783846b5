package org.dnispark.runtime;

import java.io.Serializable;

import ai.djl.ndarray.NDManager;

import org.dnispark.core.ModelWeights;

/**
 * One built-in architecture, as {@link ArchitectureRegistry} lists it: an id, what its state dicts look like (for
 * error messages), and its detection from a state dict's key names and shapes, beside the network's own code.
 *
 * @param id          short stable name, recorded in manifests
 * @param description the keys and shapes that identify it, for the "known architectures" text of errors
 * @param detector    the network for a state dict of this architecture, or null when the state dict is not one
 */
public record Architecture(String id, String description, Detector detector) {

    /** Recognises the architecture from a state dict; null when the keys or shapes do not fit. */
    @FunctionalInterface
    public interface Detector {
        NetworkSpec detect(ModelWeights weights);
    }

    /** A serialisable network factory, so that executors can build the network from the spec. */
    @FunctionalInterface
    interface Factory extends Serializable {
        ImageNetwork create(NDManager manager);
    }

    /** What a detector returns: the network's name with its hyper-parameters, its geometry and its factory. */
    record BuiltIn(String name, NetworkGeometry geometry, Factory factory) implements NetworkSpec {
        @Override
        public ImageNetwork create(NDManager manager) {
            return factory.create(manager);
        }
    }
}
