package org.dnispark.runtime;

import java.io.Serializable;

import ai.djl.ndarray.NDManager;

import org.dnispark.ncnn.NcnnGraph;

/**
 * What executors need to build a network: an ncnn graph, a built-in architecture detected from a state dict
 * ({@link org.dnispark.arch.ArchitectureRegistry}), or a TorchScript module. Plain serialisable values; the weights travel separately
 * (broadcast per coefficient).
 */
public interface NetworkSpec extends Serializable {
    /** The network with its hyper-parameters, for manifests and messages. */
    String name();

    NetworkGeometry geometry();

    ImageNetwork create(NDManager manager);

    /** An ncnn graph, executed layer by layer; refused here when it has a layer the runtime cannot execute. */
    static NetworkSpec ncnn(NcnnGraph graph) {
        NcnnNetwork.checkSupported(graph);
        return new NcnnSpec(graph, NcnnGraphGeometry.of(graph));
    }

    /** An ncnn graph with its geometry. */
    record NcnnSpec(NcnnGraph graph, NetworkGeometry geometry) implements NetworkSpec {
        @Override
        public String name() {
            return "ncnn graph " + graph.source();
        }

        @Override
        public ImageNetwork create(NDManager manager) {
            return new NcnnNetwork(graph, manager);
        }
    }
}
