package org.dnispark.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.ncnn.NcnnLayer;

/**
 * The permutation spec of an ncnn graph that is a chain: each (de)convolution's output channels pass through
 * per-channel layers only (ReLU, Sigmoid, PReLU, Pooling, Interp, Crop) to exactly one (de)convolution, which reads
 * them on its input axis. Channels on their way to the network's output only stay, whatever layers they pass. ncnn stores both convolution and deconvolution weights as
 * {@code [out][in][kh][kw]}, so the output axis is 0 and the input axis 1 for both (upconv_7's last layer is a
 * deconvolution). Graphs whose channels meet a tie (a Split to several consumers, a BinaryOp, a concatenation, a
 * depthwise or grouped convolution, an InnerProduct, a PixelShuffle) are refused, naming the layer.
 */
public final class NcnnPermutations {
    private static final Set<String> PER_CHANNEL = Set.of("ReLU", "Sigmoid", "PReLU", "Pooling", "Interp", "Crop");
    private static final Set<String> CONVOLUTIONS = Set.of("Convolution", "Deconvolution");

    private NcnnPermutations() {
    }

    /** Whether any (de)convolution lies downstream of layer {@code from}. */
    private static boolean reachesConvolution(NcnnLayer from, Map<String, List<NcnnLayer>> consumers) {
        java.util.ArrayDeque<NcnnLayer> todo = new java.util.ArrayDeque<>(List.of(from));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            NcnnLayer l = todo.pop();
            if (!seen.add(l.name())) {
                continue;
            }
            if (l != from && CONVOLUTIONS.contains(l.type())) {
                return true;
            }
            for (String out : l.outputs()) {
                todo.addAll(consumers.getOrDefault(out, List.of()));
            }
        }
        return false;
    }

    public static PermutationSpec spec(NcnnGraph graph, ModelWeights w) {
        Map<String, List<NcnnLayer>> consumers = new HashMap<>();
        for (NcnnLayer l : graph.layers()) {
            for (String in : l.inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(l);
            }
        }
        PermutationSpec.Builder b = new PermutationSpec.Builder("ncnn graph " + graph.source(), w);
        List<String> refused = new ArrayList<>();
        for (NcnnLayer l : graph.layers()) {
            if (!CONVOLUTIONS.contains(l.type())) {
                continue;
            }
            if (l.getInt(7, 1) != 1) {
                refused.add(l + " is a grouped convolution (group " + l.getInt(7, 1) + ")");
                continue;
            }
            List<PermutationSpec.Slot> slots = new ArrayList<>();
            slots.add(PermutationSpec.Slot.of(l.name() + ".weight", 0));
            if (w.contains(l.name() + ".bias")) {
                slots.add(PermutationSpec.Slot.of(l.name() + ".bias", 0));
            }
            String blob = l.outputs().get(0);
            String why = null;
            boolean consumed = false;
            while (why == null && !consumed) {
                List<NcnnLayer> next = consumers.getOrDefault(blob, List.of());
                if (next.isEmpty()) {
                    break; // the network's output: its channels stay
                }
                NcnnLayer n = next.get(0);
                if (next.size() > 1 || n.outputs().size() != 1 || n.inputs().size() != 1) {
                    why = "its output reaches " + (next.size() > 1 ? next.size() + " layers" : n.toString())
                            + ", a tie between several tensors";
                } else if (CONVOLUTIONS.contains(n.type())) {
                    if (n.getInt(7, 1) != 1) {
                        why = "its output feeds the grouped convolution " + n;
                    } else {
                        slots.add(PermutationSpec.Slot.of(n.name() + ".weight", 1));
                        consumed = true;
                    }
                } else if (PER_CHANNEL.contains(n.type())) {
                    if (n.type().equals("PReLU") && w.get(n.name() + ".slope").size() > 1) {
                        slots.add(PermutationSpec.Slot.of(n.name() + ".slope", 0));
                    }
                    blob = n.outputs().get(0);
                } else if (reachesConvolution(n, consumers)) {
                    why = "its output reaches " + n + ", which mixes channels in a way alignment does not express, "
                            + "on its way to later convolutions";
                } else {
                    break; // on the way to the network's output only (a PixelShuffle, a residual add): it stays
                }
            }
            if (why != null) {
                refused.add(l + ": " + why);
            } else if (consumed) {
                b.group(new PermutationSpec.Group(l.name(), w.get(l.name() + ".weight").shape()[0], slots));
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("ncnn graph " + graph.source() + " cannot be aligned: "
                    + String.join("; ", refused) + ". Alignment supports chains of (de)convolutions with per-channel "
                    + "layers between them");
        }
        return b.build();
    }
}
