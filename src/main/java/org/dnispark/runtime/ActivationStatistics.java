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
    /** With {@link #retaining()}: every recorded output, channel-major ([C][N*H*W]) per call, for correlations. */
    private final Map<String, List<float[][]>> kept;

    public ActivationStatistics() {
        this.kept = null;
    }

    private ActivationStatistics(boolean keep) {
        this.kept = keep ? new LinkedHashMap<>() : null;
    }

    /** Statistics that also keep the outputs themselves, for {@link #correlation} (activation matching). */
    public static ActivationStatistics retaining() {
        return new ActivationStatistics(true);
    }

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
        if (kept != null) {
            // NCHW to [C][N*H*W]
            float[] v = out.transpose(1, 0, 2, 3).toFloatArray();
            float[][] byChannel = new float[(int) c][];
            for (int i = 0; i < c; i++) {
                byChannel[i] = java.util.Arrays.copyOfRange(v, (int) (i * perChannel), (int) ((i + 1) * perChannel));
            }
            kept.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(byChannel);
        }
    }

    /**
     * Pearson correlation of this network's channel i with {@code other}'s channel j of the same layer over every
     * recorded position (both must have run on the same images); 0 where a channel is constant.
     */
    public double[][] correlation(String layer, ActivationStatistics other) {
        if (kept == null || other.kept == null) {
            throw new IllegalStateException("correlations need statistics made with retaining()");
        }
        List<float[][]> a = kept.get(layer);
        List<float[][]> b = other.kept.get(layer);
        if (a == null || b == null || a.size() != b.size()) {
            throw new IllegalArgumentException("layer '" + layer + "' was not recorded the same way in both networks");
        }
        double[] ma = mean(layer);
        double[] mb = other.mean(layer);
        double[] sa = std(layer);
        double[] sb = other.std(layer);
        int n = ma.length;
        long count = counts.get(layer);
        // the cross-covariance as one matrix product in the engine ([C, positions] x [positions, C])
        double[][] c = new double[n][n];
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray x = Tensors.copyIn(m, centred(a, ma, count), new ai.djl.ndarray.types.Shape(n, count));
            ai.djl.ndarray.NDArray y = Tensors.copyIn(m, centred(b, mb, count), new ai.djl.ndarray.types.Shape(n, count));
            float[] cov = x.matMul(y.transpose()).toFloatArray();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] = sa[i] > 1e-12 && sb[j] > 1e-12 ? cov[i * n + j] / count / (sa[i] * sb[j]) : 0;
                }
            }
        }
        return c;
    }

    /** The recorded outputs of one layer as [C][positions], row-major, each channel minus its mean. */
    private static float[] centred(List<float[][]> calls, double[] mean, long count) {
        int n = mean.length;
        float[] out = new float[Math.toIntExact(n * count)];
        long offset = 0;
        for (float[][] call : calls) {
            int len = call[0].length;
            for (int i = 0; i < n; i++) {
                float mi = (float) mean[i];
                int base = (int) (i * count + offset);
                for (int k = 0; k < len; k++) {
                    out[base + k] = call[i][k] - mi;
                }
            }
            offset += len;
        }
        return out;
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
