package org.dnispark.runtime;

import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.dnispark.core.ModelWeights;
import org.dnispark.arch.SrvggNetCompact;
import org.dnispark.arch.RrdbNet;
import org.dnispark.arch.ArchitectureRegistry;

/**
 * A built-in super-resolution network (RRDBNet or SRVGGNetCompact) whose forward pass runs on the caller's parameter
 * arrays, so that {@code org.dnispark.train} can fine-tune it: the very code inference runs, not a copy, so a
 * fine-tuned model computes in every job what it computed in training.
 */
public final class TrainableNetwork implements AutoCloseable {
    private final StateDictNetwork network;
    private final String name;
    private final int scale;

    private TrainableNetwork(StateDictNetwork network, String name, int scale) {
        network.keepIntermediates(true);
        this.network = network;
        this.name = name;
        this.scale = scale;
    }

    /**
     * The network of a state dict that one of the trainable built-in architectures detects; an error naming what was
     * found otherwise.
     */
    public static TrainableNetwork of(ModelWeights weights, NDManager manager) {
        NetworkSpec spec = RrdbNet.detect(weights);
        if (spec == null) {
            spec = SrvggNetCompact.detect(weights);
        }
        if (spec == null) {
            NetworkSpec other = ArchitectureRegistry.detect(weights);
            throw new IllegalArgumentException("super-resolution training needs an RRDBNet or SRVGGNetCompact state "
                    + "dict; found " + (other == null ? "an unknown architecture" : other.name()));
        }
        ImageNetwork n = spec.create(manager);
        return new TrainableNetwork((StateDictNetwork) n, spec.name(), spec.geometry().scale());
    }

    /** The architecture with its hyper-parameters, as detection names it. */
    public String name() {
        return name;
    }

    /** Output pixels per input pixel along each side. */
    public int scale() {
        return scale;
    }

    /** The output batch [N, 3, H*scale, W*scale] for an input [N, 3, H, W], computed from {@code params}. */
    public NDArray forward(Map<String, NDArray> params, NDArray x) {
        network.params = params;
        try {
            return network.forward(x);
        } finally {
            network.params = Map.of();
        }
    }

    @Override
    public void close() {
        network.close();
    }
}
