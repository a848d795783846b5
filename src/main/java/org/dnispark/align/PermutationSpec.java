package org.dnispark.align;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * Which channels of a network can be permuted together without changing its function: one {@link Group} per set of
 * hidden channels (the outputs of one convolution, say), each listing every tensor axis that must follow the same
 * order (that convolution's weight rows and bias, the batch norm or PReLU after it, the next layer's input columns).
 * Channels that no group names (network inputs and outputs, channels that feed a tie the architecture does not
 * express) keep their order, which is always function-preserving.
 *
 * @param architecture what the spec was derived from, for messages and manifests
 * @param groups       the permutation groups, in network order
 */
public record PermutationSpec(String architecture, List<Group> groups) implements Serializable {

    public PermutationSpec {
        Objects.requireNonNull(architecture, "architecture");
        groups = List.copyOf(groups);
        Set<String> names = new LinkedHashSet<>();
        for (Group g : groups) {
            if (!names.add(g.name())) {
                throw new IllegalArgumentException("permutation spec of " + architecture + " names group '" + g.name()
                        + "' twice");
            }
        }
    }

    /**
     * A range of {@code size} channels starting at {@code offset} along {@code axis} of tensor {@code tensor}; an
     * offset other than 0 is a slice of a concatenated input.
     */
    public record Slot(String tensor, int axis, int offset) implements Serializable {
        public Slot {
            Objects.requireNonNull(tensor, "tensor");
            if (axis < 0 || offset < 0) {
                throw new IllegalArgumentException("slot of '" + tensor + "': axis " + axis + " and offset " + offset
                        + " must not be negative");
            }
        }

        public static Slot of(String tensor, int axis) {
            return new Slot(tensor, axis, 0);
        }
    }

    /** One permutation of {@code size} channels and every slot it reorders. */
    public record Group(String name, int size, List<Slot> slots) implements Serializable {
        public Group {
            Objects.requireNonNull(name, "name");
            slots = List.copyOf(slots);
            if (size < 1 || slots.isEmpty()) {
                throw new IllegalArgumentException("permutation group '" + name + "' needs a positive size and at "
                        + "least one slot; got size " + size + ", " + slots.size() + " slots");
            }
        }
    }

    /**
     * The layers whose outputs group {@code g} orders: the prefixes of the 4-dimensional tensors it reorders on axis
     * 0 (one for a chain, several where a residual trunk ties them).
     */
    public static List<String> producers(Group g, ModelWeights w) {
        List<String> out = new ArrayList<>();
        for (Slot s : g.slots()) {
            if (s.axis() == 0 && s.tensor().endsWith(".weight") && w.get(s.tensor()).shape().length == 4) {
                String p = s.tensor().substring(0, s.tensor().length() - ".weight".length());
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** A builder that adds slots only for tensors the model has (optional biases), in network order. */
    public static final class Builder {
        private final String architecture;
        private final ModelWeights weights;
        private final List<Group> groups = new ArrayList<>();

        public Builder(String architecture, ModelWeights weights) {
            this.architecture = architecture;
            this.weights = weights;
        }

        /**
         * A group of the outputs of {@code producers} (axis 0 of each, plus every per-channel tensor listed in
         * {@code perChannel}) and the inputs of {@code consumers} (axis 1). Tensors the model lacks are skipped.
         */
        public Builder chain(String name, List<String> outputs, List<String> consumers) {
            List<Slot> slots = new ArrayList<>();
            for (String t : outputs) {
                if (weights.contains(t)) {
                    slots.add(Slot.of(t, 0));
                }
            }
            for (String t : consumers) {
                slots.add(Slot.of(t, 1));
            }
            int size = weights.get(outputs.get(0)).shape()[0];
            groups.add(new Group(name, size, slots));
            return this;
        }

        public Builder group(Group g) {
            groups.add(g);
            return this;
        }

        public PermutationSpec build() {
            PermutationSpec spec = new PermutationSpec(architecture, groups);
            spec.check(weights);
            return spec;
        }
    }

    /**
     * Checks the spec against a model and throws one error listing every problem: a slot on a missing or integer
     * tensor, an axis the tensor does not have, a range past its end, and two slots overlapping on one axis.
     */
    public void check(ModelWeights w) {
        List<String> problems = new ArrayList<>();
        Map<String, List<int[]>> used = new HashMap<>();
        for (Group g : groups) {
            for (Slot s : g.slots()) {
                if (!w.contains(s.tensor())) {
                    problems.add("group '" + g.name() + "': no tensor '" + s.tensor() + "'");
                    continue;
                }
                NamedTensor t = w.get(s.tensor());
                int[] shape = t.shape();
                if (!t.dtype().isFloating()) {
                    problems.add("group '" + g.name() + "': tensor '" + s.tensor() + "' is " + t.dtype()
                            + ", expected a floating tensor");
                } else if (s.axis() >= shape.length) {
                    problems.add("group '" + g.name() + "': tensor '" + s.tensor() + "' " + t.shapeString()
                            + " has no axis " + s.axis());
                } else if (s.offset() + g.size() > shape[s.axis()]) {
                    problems.add("group '" + g.name() + "' (" + g.size() + " channels at offset " + s.offset()
                            + "): axis " + s.axis() + " of '" + s.tensor() + "' " + t.shapeString() + " is too short");
                } else {
                    for (int[] r : used.computeIfAbsent(s.tensor() + "#" + s.axis(), k -> new ArrayList<>())) {
                        if (s.offset() < r[1] && r[0] < s.offset() + g.size()) {
                            problems.add("group '" + g.name() + "': axis " + s.axis() + " of '" + s.tensor()
                                    + "' overlaps another group's channels");
                        }
                    }
                    used.get(s.tensor() + "#" + s.axis()).add(new int[] {s.offset(), s.offset() + g.size()});
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("permutation spec of " + architecture + " does not fit '" + w.label()
                    + "': " + String.join("; ", problems));
        }
    }

    /** How many channels the spec permutes in all. */
    public int channelCount() {
        return groups.stream().mapToInt(Group::size).sum();
    }
}
