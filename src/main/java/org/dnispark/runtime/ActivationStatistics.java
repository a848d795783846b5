package org.dnispark.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;

/**
 * Per-channel mean and standard deviation of convolution outputs (before their activation), by layer, gathered
 * while a network runs with this probe set ({@link ImageNetwork#probe}). Sums are kept in double, so images can be
 * fed one at a time. What renormalisation ({@link Renormalisation}) measures.
 */
public final class ActivationStatistics {
    private final Map<String, double[][]> sums = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Adds an NCHW output of layer {@code name}. */
    void record(String name, NDArray out) {
        long c = out.getShape().get(1);
        long perChannel = out.size() / c;
        float[] s = out.sum(new int[] {0, 2, 3}).toFloatArray();
        float[] q = out.square().sum(new int[] {0, 2, 3}).toFloatArray();
        double[][] acc = sums.computeIfAbsent(name, k -> new double[2][(int) c]);
        if (acc[0].length != c) {
            throw new IllegalStateException("layer " + name + " gave " + c + " channels after " + acc[0].length);
        }
        for (int i = 0; i < c; i++) {
            acc[0][i] += s[i];
            acc[1][i] += q[i];
        }
        counts.merge(name, perChannel, Long::sum);
    }

    public List<String> layers() {
        return List.copyOf(sums.keySet());
    }

    public boolean has(String layer) {
        return sums.containsKey(layer);
    }

    public double[] mean(String layer) {
        double[][] acc = get(layer);
        long n = counts.get(layer);
        double[] m = new double[acc[0].length];
        for (int i = 0; i < m.length; i++) {
            m[i] = acc[0][i] / n;
        }
        return m;
    }

    /** The population standard deviation of each channel. */
    public double[] std(String layer) {
        double[][] acc = get(layer);
        long n = counts.get(layer);
        double[] m = mean(layer);
        double[] sd = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            sd[i] = Math.sqrt(Math.max(0, acc[1][i] / n - m[i] * m[i]));
        }
        return sd;
    }

    private double[][] get(String layer) {
        double[][] acc = sums.get(layer);
        if (acc == null) {
            throw new IllegalArgumentException("no statistics for layer '" + layer + "'; recorded: " + layers());
        }
        return acc;
    }
}
