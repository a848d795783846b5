package org.dnispark.runtime;

import java.io.Serializable;

import ai.djl.ndarray.NDManager;

import org.dnispark.ncnn.NcnnGeometry;
import org.dnispark.ncnn.NcnnGraph;

/**
 * What executors need to build a network: an ncnn graph, or a built-in architecture detected from a state dict.
 * Plain serialisable values; the weights travel separately (broadcast per coefficient).
 */
public interface NetworkSpec extends Serializable {
    String name();

    NcnnGeometry geometry();

    ImageNetwork create(NDManager manager);

    /** An ncnn graph, executed layer by layer. */
    static NetworkSpec ncnn(NcnnGraph graph) {
        NcnnNetwork.checkSupported(graph);
        NcnnGeometry geometry = NcnnGeometry.of(graph);
        return new NetworkSpec() {
            private static final long serialVersionUID = 1L;

            @Override
            public String name() {
                return "ncnn graph " + graph.source();
            }

            @Override
            public NcnnGeometry geometry() {
                return geometry;
            }

            @Override
            public ImageNetwork create(NDManager manager) {
                return new NcnnNetwork(graph, manager);
            }
        };
    }
}
