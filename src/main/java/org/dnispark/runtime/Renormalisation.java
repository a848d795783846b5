package org.dnispark.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.DType;
import org.dnispark.core.HalfFloats;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.RgbImage;
import org.dnispark.arch.DnCnn;

/**
 * REPAIR (Jordan et al., ICLR 2023) for an interpolated network: interpolating two networks shrinks the variance of
 * its hidden activations (averaged filters cancel), and renormalisation restores each hidden convolution's
 * per-channel output statistics toward the endpoints'. Layer by layer in network order, on a few input images:
 * <ul>
 *   <li>a convolution followed by batch norm gets new running statistics, chosen from what its outputs really are
 *       in the interpolated network so that the batch norm's output has the mean and standard deviation interpolated
 *       from the endpoints' (their batch norms' outputs on the same images);</li>
 *   <li>any other hidden convolution is rescaled per output channel so that its outputs have the mean and standard
 *       deviation interpolated from the endpoints' ({@code sum_i c_i mu_i}, {@code sum_i c_i sigma_i}):
 *       {@code w' = w * s}, {@code b' = (b - mu) * s + mu_target}, {@code s = sigma_target / sigma}.</li>
 * </ul>
 * The output convolution is rescaled too, toward the endpoints' interpolated output statistics: interpolating two
 * unrelated last layers shrinks the output itself. Channels tied across layers (a residual trunk) are left as they
 * are. The error reported for a batch-norm layer is
 * that of its normalised output, {@code |gamma| sigma / sqrt(var + eps)}, against the endpoints' interpolated. Statistics are measured before the
 * activation, on the images as given (the caller degrades them as the run does). Every change is measured: the
 * result reports, per layer, how far the standard deviations were from their targets before and after.
 */
public final class Renormalisation {
    private Renormalisation() {
    }

    /**
     * One renormalised layer: how, and the mean of {@code |sigma / sigma_target - 1|} over its channels before and
     * after (measured again once every layer is done).
     */
    public record Layer(String layer, String how, double stdErrorBefore, double stdErrorAfter) {
    }

    public record Result(ModelWeights weights, List<Layer> layers) {
        /** Per layer, for manifests. */
        public List<Map<String, Object>> describe() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Layer l : layers) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", l.layer());
                e.put("how", l.how());
                e.put("std_error_before", l.stdErrorBefore());
                e.put("std_error_after", l.stdErrorAfter());
                out.add(e);
            }
            return out;
        }
    }

    /** A hidden convolution this can renormalise: its name, and its batch norm (or null). */
    private record Target(String conv, String norm) {
    }

    /**
     * The convolutions to renormalise, in the order the network runs them ({@code recorded}): each permutation group
     * produced by one convolution (with its batch norm, if any), and every convolution that no group orders (the
     * output layer, pixel-shuffled up-sampling convolutions). Convolutions tied by a residual trunk are skipped.
     */
    private static List<Target> targets(PermutationSpec spec, ModelWeights w, List<String> recorded) {
        Map<String, Target> grouped = new LinkedHashMap<>();
        java.util.Set<String> tied = new java.util.HashSet<>();
        for (PermutationSpec.Group g : spec.groups()) {
            String norm = null;
            for (PermutationSpec.Slot s : g.slots()) {
                if (s.axis() == 0 && s.tensor().endsWith(".running_mean")) {
                    norm = s.tensor().substring(0, s.tensor().length() - ".running_mean".length());
                }
            }
            List<String> producers = PermutationSpec.producers(g, w);
            if (producers.size() == 1) {
                grouped.put(producers.get(0), new Target(producers.get(0), norm));
            } else {
                tied.addAll(producers);
            }
        }
        List<Target> out = new ArrayList<>();
        for (String layer : recorded) {
            if (grouped.containsKey(layer)) {
                out.add(grouped.get(layer));
            } else if (!tied.contains(layer) && w.contains(layer + ".weight")
                    && w.get(layer + ".weight").shape().length == 4) {
                out.add(new Target(layer, null));
            }
        }
        return out;
    }

    /**
     * Renormalises {@code mix}, the interpolation of {@code endpoints} (already aligned) with {@code coefficients},
     * in network {@code net}, measured on {@code images}.
     */
    public static Result apply(NetworkSpec net, PermutationSpec spec, List<ModelWeights> endpoints,
            double[] coefficients, ModelWeights mix, List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("renormalisation needs at least one image");
        }
        int tile = 1;
        for (RgbImage i : images) {
            tile = Math.max(tile, Math.max(i.width(), i.height()));
        }
        try (TiledPredictor p = new TiledPredictor(net, tile, 1, null, false)) {
            Map<String, double[]> targetMean = new LinkedHashMap<>();
            Map<String, double[]> targetStd = new LinkedHashMap<>();
            List<Target> targets = null;
            for (int i = 0; i < endpoints.size(); i++) {
                if (coefficients[i] == 0) {
                    continue;
                }
                ActivationStatistics s = measure(p, endpoints.get(i), images);
                if (targets == null) {
                    targets = targets(spec, mix, s.layers());
                }
                for (Target t : targets) {
                    accumulate(targetMean, t.conv(), outputMean(endpoints.get(i), t, s.mean(t.conv())),
                            coefficients[i]);
                    accumulate(targetStd, t.conv(), outputStd(endpoints.get(i), t, s.std(t.conv())), coefficients[i]);
                }
            }
            ModelWeights cur = mix;
            Map<String, Double> before = new LinkedHashMap<>();
            for (Target t : targets) {
                ActivationStatistics s = measure(p, cur, images);
                double[] mean = s.mean(t.conv());
                double[] std = s.std(t.conv());
                before.put(t.conv(), stdError(outputStd(cur, t, std), targetStd.get(t.conv())));
                cur = t.norm() != null ? retargetNorm(cur, t.norm(), mean, std, targetMean.get(t.conv()),
                        targetStd.get(t.conv())) : rescale(cur, t.conv(), mean, std, targetMean.get(t.conv()), targetStd.get(t.conv()));
            }
            ActivationStatistics fin = measure(p, cur, images);
            List<Layer> layers = new ArrayList<>();
            for (Target t : targets) {
                layers.add(new Layer(t.conv(), t.norm() != null ? "batch-norm statistics of " + t.norm() + " recomputed"
                        : "channels rescaled", before.get(t.conv()), stdError(outputStd(cur, t, fin.std(t.conv())),
                                targetStd.get(t.conv()))));
            }
            return new Result(new ModelWeights(mix.label() + " (renormalised)", cur.tensors()), layers);
        }
    }

    /**
     * The per-channel standard deviation of what the layer hands on: the convolution's output, or for a batch-norm
     * layer the normalised output {@code |gamma| * sigma / sqrt(running_var + eps)}, from the measured {@code sigma}.
     */
    private static double[] outputStd(ModelWeights w, Target t, double[] convStd) {
        if (t.norm() == null) {
            return convStd;
        }
        float[] gamma = w.get(t.norm() + ".weight").floatValues();
        float[] var = w.get(t.norm() + ".running_var").floatValues();
        double[] out = new double[convStd.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.abs(gamma[i]) * convStd[i] / Math.sqrt(var[i] + DnCnn.BN_EPS);
        }
        return out;
    }

    /** The per-channel mean of what the layer hands on (for batch norm, its output on inputs of mean {@code mean}). */
    private static double[] outputMean(ModelWeights w, Target t, double[] convMean) {
        if (t.norm() == null) {
            return convMean;
        }
        float[] gamma = w.get(t.norm() + ".weight").floatValues();
        float[] beta = w.get(t.norm() + ".bias").floatValues();
        float[] rm = w.get(t.norm() + ".running_mean").floatValues();
        float[] var = w.get(t.norm() + ".running_var").floatValues();
        double[] out = new double[convMean.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = gamma[i] * (convMean[i] - rm[i]) / Math.sqrt(var[i] + DnCnn.BN_EPS) + beta[i];
        }
        return out;
    }

    static ActivationStatistics measure(TiledPredictor p, ModelWeights w, List<RgbImage> images) {
        return measure(p, w, images, new ActivationStatistics());
    }

    /** Runs {@code w} on every image with {@code into} as the probe; returns {@code into}. */
    static ActivationStatistics measure(TiledPredictor p, ModelWeights w, List<RgbImage> images,
            ActivationStatistics into) {
        p.setWeights(w);
        p.probe(into);
        try {
            for (RgbImage i : images) {
                p.run(i);
            }
        } finally {
            p.probe(null);
        }
        return into;
    }

    private static void accumulate(Map<String, double[]> into, String key, double[] v, double c) {
        double[] acc = into.computeIfAbsent(key, k -> new double[v.length]);
        for (int i = 0; i < v.length; i++) {
            acc[i] += c * v[i];
        }
    }

    private static double stdError(double[] std, double[] target) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < std.length; i++) {
            if (target[i] > 1e-12) {
                sum += Math.abs(std[i] / target[i] - 1);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * Batch norm's running statistics recomputed so that, on the measured input statistics {@code mean} and
     * {@code std}, its output has the target mean and standard deviation (its interpolated scale and shift stay):
     * {@code var' = (gamma std / target_std)^2 - eps}, {@code mean' = mean - (target_mean - beta) sqrt(var' + eps) / gamma}.
     * A channel whose target cannot be reached that way (no variance, zero gamma, or a variance that would have to be
     * negative) keeps its statistics.
     */
    private static ModelWeights retargetNorm(ModelWeights w, String norm, double[] mean, double[] std,
            double[] targetMean, double[] targetStd) {
        float[] gamma = w.get(norm + ".weight").floatValues();
        float[] beta = w.get(norm + ".bias").floatValues();
        float[] m = w.get(norm + ".running_mean").floatValues().clone();
        float[] v = w.get(norm + ".running_var").floatValues().clone();
        for (int i = 0; i < m.length; i++) {
            if (std[i] <= 1e-12 || targetStd[i] <= 1e-12 || gamma[i] == 0) {
                continue;
            }
            double var = Math.pow(gamma[i] * std[i] / targetStd[i], 2) - DnCnn.BN_EPS;
            if (var <= 0) {
                continue;
            }
            v[i] = (float) var;
            m[i] = (float) (mean[i] - (targetMean[i] - beta[i]) * Math.sqrt(var + DnCnn.BN_EPS) / gamma[i]);
        }
        Map<String, float[]> changed = new LinkedHashMap<>();
        changed.put(norm + ".running_mean", m);
        changed.put(norm + ".running_var", v);
        return replace(w, changed);
    }

    private static ModelWeights rescale(ModelWeights w, String conv, double[] mean, double[] std, double[] targetMean,
            double[] targetStd) {
        NamedTensor weight = w.get(conv + ".weight");
        float[] k = weight.floatValues().clone();
        int out = weight.shape()[0];
        int per = k.length / out;
        double[] scale = new double[out];
        boolean[] dead = new boolean[out];
        for (int c = 0; c < out; c++) {
            // a dead channel (no variance) has nothing to rescale; it keeps its weights
            dead[c] = !(std[c] > 1e-12 && targetStd[c] > 0);
            scale[c] = dead[c] ? 1 : targetStd[c] / std[c];
            for (int j = 0; j < per; j++) {
                k[c * per + j] = (float) (k[c * per + j] * scale[c]);
            }
        }
        Map<String, float[]> changed = new LinkedHashMap<>();
        changed.put(conv + ".weight", k);
        if (w.contains(conv + ".bias")) {
            float[] b = w.get(conv + ".bias").floatValues().clone();
            for (int c = 0; c < out; c++) {
                b[c] = dead[c] ? b[c] : (float) ((b[c] - mean[c]) * scale[c] + targetMean[c]);
            }
            changed.put(conv + ".bias", b);
        }
        return replace(w, changed);
    }

    /** The model with some tensors' values replaced, each rounded to the tensor's own dtype. */
    private static ModelWeights replace(ModelWeights w, Map<String, float[]> values) {
        List<NamedTensor> out = new ArrayList<>();
        for (NamedTensor t : w.tensors()) {
            float[] v = values.get(t.name());
            if (v == null) {
                out.add(t);
                continue;
            }
            for (int i = 0; i < v.length; i++) {
                if (t.dtype() == DType.FLOAT16) {
                    v[i] = HalfFloats.halfToFloat(HalfFloats.floatToHalf(v[i]));
                } else if (t.dtype() == DType.BFLOAT16) {
                    v[i] = HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(v[i]));
                }
            }
            out.add(NamedTensor.ofFloats(t.name(), t.shape(), t.dtype(), v));
        }
        return new ModelWeights(w.label(), out);
    }
}
