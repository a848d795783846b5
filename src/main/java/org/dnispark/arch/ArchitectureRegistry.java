package org.dnispark.arch;

import java.util.List;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.NcnnPermutations;

/**
 * The built-in architectures, in the order detection tries them, so that plain state dicts load as they are. A new
 * architecture is one file (the network, with its {@code ARCHITECTURE} and detection) plus one entry here.
 */
public final class ArchitectureRegistry {
    private static final List<Architecture> BUILT_IN = List.of(
            SrvggNetCompact.ARCHITECTURE,
            DnCnn.ARCHITECTURE,
            RrdbNet.ARCHITECTURE,
            Span.ARCHITECTURE,
            Plksr.ARCHITECTURE,
            SwinIr.ARCHITECTURE,
            Dat.ARCHITECTURE,
            OmniSr.ARCHITECTURE,
            MsrResNet.ARCHITECTURE,
            Srcnn.ARCHITECTURE,
            Vgg7.ARCHITECTURE);

    private ArchitectureRegistry() {
    }

    public static List<Architecture> builtIn() {
        return BUILT_IN;
    }

    /** The built-in architecture of a state dict; an error naming what was found, and what is known, when none fits. */
    public static NetworkSpec detect(ModelWeights weights) {
        for (Architecture a : BUILT_IN) {
            NetworkSpec spec = a.detector().detect(weights);
            if (spec != null) {
                return spec;
            }
        }
        List<String> names = weights.names();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("'" + weights.label() + "' holds no tensors; expected a state dict");
        }
        throw new IllegalArgumentException("'" + weights.label() + "': no built-in architecture matches its "
                + names.size() + " tensors (first: " + names.subList(0, Math.min(4, names.size())) + ", last: "
                + names.get(names.size() - 1) + "); built in: " + known() + ". Export the model as an ncnn graph to "
                + "run it, or interpolate it with jobs/dni interpolate");
    }

    /**
     * Which hidden channels of a state dict can be permuted together: the spec of the built-in architecture that
     * detects it; an error naming why when it has none or its ties are not expressed.
     */
    public static PermutationSpec permutations(ModelWeights weights) {
        for (Architecture a : BUILT_IN) {
            if (a.detector().detect(weights) != null) {
                return a.permutations().spec(weights);
            }
        }
        detect(weights); // throws, naming what was found
        throw new IllegalStateException("unreachable");
    }

    /** The same for an ncnn graph and its weights: chains only (see {@link NcnnPermutations}). */
    public static PermutationSpec permutations(NcnnGraph graph, ModelWeights weights) {
        return NcnnPermutations.spec(graph, weights);
    }

    /**
     * The built-in architectures as a Markdown table, in detection order: what {@code jobs/dni architectures} prints
     * and the README carries (a test keeps the two equal).
     */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder("| id | recognised by (keys and shapes) |\n|---|---|\n");
        for (Architecture a : BUILT_IN) {
            b.append("| `").append(a.id()).append("` | ").append(a.description().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    /** "id: description" of every built-in architecture, for messages. */
    public static List<String> known() {
        return BUILT_IN.stream().map(a -> a.id() + " (" + a.description() + ")").toList();
    }
}
