package org.dnispark.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A model's parameters and buffers as ordered, named tensors. Immutable and serializable (it is broadcast). */
public final class ModelWeights implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String label;
    private final LinkedHashMap<String, NamedTensor> tensors;

    public ModelWeights(String label, List<NamedTensor> tensors) {
        this.label = Objects.requireNonNull(label, "label");
        this.tensors = new LinkedHashMap<>();
        for (NamedTensor t : tensors) {
            if (this.tensors.put(t.name(), t) != null) {
                throw new IllegalArgumentException("model '" + label + "' has two tensors named '" + t.name() + "'");
            }
        }
    }

    /** A human-readable name of where these weights came from (a file, or an interpolation). */
    public String label() {
        return label;
    }

    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public List<NamedTensor> tensors() {
        return new ArrayList<>(tensors.values());
    }

    public Map<String, NamedTensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public NamedTensor get(String name) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("model '" + label + "' has no tensor named '" + name + "'");
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public int tensorCount() {
        return tensors.size();
    }

    public long parameterCount() {
        long n = 0;
        for (NamedTensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelWeights && tensors.equals(((ModelWeights) o).tensors);
    }

    @Override
    public int hashCode() {
        return tensors.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "ModelWeights(" + label + ", " + tensors.size() + " tensors, " + parameterCount() + " values)";
    }
}
