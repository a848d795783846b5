package org.dnispark.ncnn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One layer line of an ncnn {@code .param} file: type, name, input and output blobs and its {@code k=v} parameters. */
public final class NcnnLayer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String type;
    private final String name;
    private final List<String> inputs;
    private final List<String> outputs;
    /** Scalar parameters by id; array parameters (written with key -23300 - id) are in {@link #arrays}. */
    private final TreeMap<Integer, String> scalars;
    private final TreeMap<Integer, float[]> arrays;

    NcnnLayer(String type, String name, List<String> inputs, List<String> outputs, Map<Integer, String> scalars,
            Map<Integer, float[]> arrays) {
        this.type = type;
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.scalars = new TreeMap<>(scalars);
        this.arrays = new TreeMap<>(arrays);
    }

    public String type() {
        return type;
    }

    public String name() {
        return name;
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public int getInt(int id, int defaultValue) {
        String v = scalars.get(id);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new NcnnFormatException("layer '" + name + "' (" + type + "): parameter " + id + "=" + v
                    + " is not an integer");
        }
    }

    public float getFloat(int id, float defaultValue) {
        String v = scalars.get(id);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new NcnnFormatException("layer '" + name + "' (" + type + "): parameter " + id + "=" + v
                    + " is not a number");
        }
    }

    public float[] getArray(int id) {
        float[] a = arrays.get(id);
        return a == null ? new float[0] : a.clone();
    }

    /** Type and parameters, without names: two layers that agree here are structurally the same. */
    public String signature() {
        StringBuilder sb = new StringBuilder(type).append(' ').append(inputs.size()).append("->")
                .append(outputs.size());
        scalars.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        arrays.forEach((k, v) -> sb.append(' ').append(-23300 - k).append('=').append(Arrays.toString(v)));
        return sb.toString();
    }

    @Override
    public String toString() {
        return type + " '" + name + "'";
    }
}
