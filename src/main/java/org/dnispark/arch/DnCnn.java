package org.dnispark.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.runtime.Tensors;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * DnCNN with KAIR's key names: {@code model.0} conv 3x3 + ReLU, then blocks of conv 3x3 + BatchNorm (with running
 * statistics) + ReLU (or conv + ReLU only, as KAIR releases its models with batch norm merged), then a last conv; the network predicts the noise and returns {@code input - noise}. Batch
 * norm is evaluated with its running statistics and KAIR's eps (1e-4). A one-channel (greyscale) model runs on the
 * mean of the RGB channels and its output is replicated to all three.
 */
public final class DnCnn extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("dncnn", "DnCNN (KAIR): model.0 conv, then conv + "
            + "BatchNorm blocks, last conv; output = input - noise", DnCnn::detect,
            DnCnn::permutations);

    /**
     * Each conv's outputs but the last, with the batch norm after it (scale, shift and running statistics), feed the
     * next conv; the residual {@code input - noise} touches only the last conv's outputs, which stay.
     */
    static PermutationSpec permutations(ModelWeights w) {
        Layout net = layout(w);
        PermutationSpec.Builder b = new PermutationSpec.Builder("dncnn", w);
        for (int i = 0; i < net.convs().size() - 1; i++) {
            String conv = net.convs().get(i);
            List<String> outputs = new ArrayList<>(List.of(conv + ".weight", conv + ".bias"));
            String bn = net.norms().get(i);
            if (bn != null) {
                for (String part : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
                    outputs.add(bn + part);
                }
            }
            b.chain(conv, outputs, List.of(net.convs().get(i + 1) + ".weight"));
        }
        return b.build();
    }
    public static final float BN_EPS = 1e-4f;

    private final List<String> convs;
    /** For each conv, the batch norm that follows it, or null (KAIR's released models use no batch norm). */
    private final List<String> norms;
    private final int channels;

    private DnCnn(List<String> convs, List<String> norms, int channels, NDManager parent) {
        super(parent);
        this.convs = convs;
        this.norms = norms;
        this.channels = channels;
    }

    /** The convs in order and, for each, the batch norm after it (or null); null when {@code w} is not DnCNN. */
    private record Layout(List<String> convs, List<String> norms) {
    }

    /** The architecture's spec when {@code w} has DnCNN's keys and shapes, else null. */
    static NetworkSpec detect(ModelWeights w) {
        Layout layout = layout(w);
        if (layout == null) {
            return null;
        }
        List<String> convs = layout.convs();
        List<String> norms = layout.norms();
        int in = w.get(convs.get(0) + ".weight").shape()[1];
        int depth = convs.size();
        return new Architecture.BuiltIn("DnCNN(channels=" + in + ", depth=" + depth + ", features="
                + w.get(convs.get(0) + ".weight").shape()[0] + ")", NetworkGeometry.padded(1, depth, 1),
                m -> new DnCnn(convs, norms, in, m));
    }

    private static Layout layout(ModelWeights w) {
        Map<Integer, List<NamedTensor>> groups = new TreeMap<>();
        for (NamedTensor t : w.tensors()) {
            String[] parts = t.name().split("\\.");
            if (parts.length != 3 || !parts[0].equals("model") || !parts[1].matches("\\d+")) {
                return null;
            }
            groups.computeIfAbsent(Integer.parseInt(parts[1]), k -> new ArrayList<>()).add(t);
        }
        List<String> convs = new ArrayList<>();
        List<String> norms = new ArrayList<>();
        List<Character> kinds = new ArrayList<>();
        List<String> bnNames = new ArrayList<>();
        for (Map.Entry<Integer, List<NamedTensor>> g : groups.entrySet()) {
            String prefix = "model." + g.getKey();
            int[] shape = w.get(prefix + ".weight").shape();
            if (shape.length == 4 && shape[2] == 3 && shape[3] == 3 && !w.contains(prefix + ".running_mean")) {
                convs.add(prefix);
                kinds.add('C');
            } else if (shape.length == 1 && w.contains(prefix + ".running_mean") && w.contains(prefix + ".running_var")) {
                bnNames.add(prefix);
                kinds.add('B');
            } else {
                return null;
            }
        }
        // conv, (conv, BN)*, conv as trained; conv{2,} as KAIR releases them (act_mode 'R', batch norm merged)
        StringBuilder pattern = new StringBuilder();
        kinds.forEach(pattern::append);
        if (!pattern.toString().matches("C(CB)+C") && !pattern.toString().matches("C{2,}")) {
            return null;
        }
        int bn = 0;
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == 'C') {
                boolean followed = i + 1 < kinds.size() && kinds.get(i + 1) == 'B';
                norms.add(followed ? bnNames.get(bn++) : null);
            }
        }
        int in = w.get(convs.get(0) + ".weight").shape()[1];
        int out = w.get(convs.get(convs.size() - 1) + ".weight").shape()[0];
        if (in != out || (in != 1 && in != 3)) {
            return null;
        }
        return new Layout(convs, norms);
    }

    private NDArray batchNorm(NDArray x, String prefix) {
        return Ops.batchNorm(x, params.get(prefix + ".running_mean"), params.get(prefix + ".running_var"),
                params.get(prefix + ".weight"), params.get(prefix + ".bias"), BN_EPS);
    }

    @Override
    public float[] forward(float[] input, int batch, int c, int height, int width, int[] outShape) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray rgb = input(scope, input, new Shape(batch, c, height, width));
            NDArray x = channels == 1 ? rgb.mean(new int[] {1}, true) : rgb;
            NDArray h = Ops.maximum(conv(x, convs.get(0)), 0);
            for (int i = 1; i < convs.size() - 1; i++) {
                NDArray c2 = conv(h, convs.get(i));
                h = Ops.maximum(norms.get(i) == null ? c2 : batchNorm(c2, norms.get(i)), 0);
            }
            NDArray y = x.sub(conv(h, convs.get(convs.size() - 1)));
            if (channels == 1) {
                y = y.repeat(1, 3);
            }
            return result(y, outShape);
        }
    }

}
