package org.dnispark.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Deep Network Interpolation of parameters (paper Eq. 1 and Eq. 2): every tensor of the result is
 * {@code sum_i c_i * theta_i}, accumulated in double precision and rounded once to the tensors' own dtype.
 * Terms with a zero coefficient are skipped, so a one-hot vector returns that model bit for bit.
 */
public final class Interpolation {
    private Interpolation() {
    }

    /** Options beyond the coefficients: whether negative coefficients are allowed, and the integer-tensor rule. */
    public record Options(boolean allowExtrapolation, IntegerBufferRule integerRule) implements java.io.Serializable {
        public Options {
            Objects.requireNonNull(integerRule, "integerRule");
        }

        public static Options defaults() {
            return new Options(false, IntegerBufferRule.LARGEST_COEFFICIENT);
        }
    }

    /** Two models, our alpha convention: {@code (1 - alpha) * a + alpha * b}. */
    public static ModelWeights lerp(ModelWeights a, ModelWeights b, double alpha, Options options) {
        return interpolate(List.of(a, b), Coefficients.forAlpha(alpha), options);
    }

    /** One coefficient of a run: its vector, or its per-layer schedule when it has one. */
    public static ModelWeights interpolate(List<ModelWeights> models, CoefficientPlan.Coefficient c, Options options) {
        return c.hasSchedule() ? interpolate(models, c.schedule(), options) : interpolate(models, c.vector(), options);
    }

    /**
     * Two models with a coefficient per tensor ({@link LayerSchedule}): each tensor is mixed exactly as
     * {@link #interpolate(List, double[], Options)} mixes it with {@code [1 - a_t, a_t]}, so a schedule and an
     * explicit per-tensor interpolation agree bit for bit.
     */
    public static ModelWeights interpolate(List<ModelWeights> models, LayerSchedule schedule, Options options) {
        if (models == null || models.size() != 2) {
            throw new IllegalArgumentException("a per-layer schedule mixes two models, not "
                    + (models == null ? 0 : models.size()));
        }
        for (double a : schedule.extremes()) {
            Coefficients.validate(Coefficients.forAlpha(a), 2, options.allowExtrapolation());
        }
        checkCompatible(models);
        List<String> unmatched = schedule.unmatchedRules(models.get(0));
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("schedule rules match no tensor of '" + models.get(0).label() + "': "
                    + unmatched + " (patterns are globs over whole tensor names, e.g. conv_last.*)");
        }
        ModelWeights first = models.get(0);
        Map<String, Double> alphas = schedule.alphas(first);
        List<NamedTensor> out = new ArrayList<>(first.tensorCount());
        for (String name : first.names()) {
            NamedTensor proto = first.get(name);
            double[] c = Coefficients.forAlpha(alphas.get(name));
            out.add(proto.dtype().isFloating() ? mixFloats(models, name, proto, c)
                    : mixIntegers(models, name, proto, c, options.integerRule()));
        }
        return new ModelWeights("dni(" + schedule.label() + ": " + models.get(0).label() + " -> "
                + models.get(1).label() + ")", out);
    }

    public static ModelWeights interpolate(List<ModelWeights> models, double[] coefficients, Options options) {
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("interpolation needs at least one model");
        }
        Coefficients.validate(coefficients, models.size(), options.allowExtrapolation());
        checkCompatible(models);
        ModelWeights first = models.get(0);
        List<NamedTensor> out = new ArrayList<>(first.tensorCount());
        for (String name : first.names()) {
            NamedTensor proto = first.get(name);
            if (proto.dtype().isFloating()) {
                out.add(mixFloats(models, name, proto, coefficients));
            } else {
                out.add(mixIntegers(models, name, proto, coefficients, options.integerRule()));
            }
        }
        return new ModelWeights(label(models, coefficients), out);
    }

    private static String label(List<ModelWeights> models, double[] coefficients) {
        StringBuilder sb = new StringBuilder("dni(");
        for (int i = 0; i < models.size(); i++) {
            if (i > 0) {
                sb.append(" + ");
            }
            sb.append(coefficients[i]).append('*').append(models.get(i).label());
        }
        return sb.append(')').toString();
    }

    private static NamedTensor mixFloats(List<ModelWeights> models, String name, NamedTensor proto, double[] c) {
        int n = proto.size();
        double[] acc = null;
        for (int m = 0; m < models.size(); m++) {
            double w = c[m];
            if (w == 0.0) {
                continue; // skipping keeps one-hot vectors bit exact, even with Inf or NaN in the other models
            }
            float[] x = models.get(m).get(name).floatValues();
            if (acc == null) {
                // Start from the first term rather than +0.0, which would turn a -0.0 weight into +0.0.
                acc = new double[n];
                for (int i = 0; i < n; i++) {
                    acc[i] = w * x[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    acc[i] += w * x[i];
                }
            }
        }
        float[] result = new float[n];
        DType dtype = proto.dtype();
        for (int i = 0; i < n; i++) {
            result[i] = dtype.round((float) acc[i]);
        }
        return NamedTensor.ofFloats(name, proto.shape(), dtype, result);
    }

    private static NamedTensor mixIntegers(List<ModelWeights> models, String name, NamedTensor proto, double[] c,
            IntegerBufferRule rule) {
        switch (rule) {
            case LARGEST_COEFFICIENT: {
                int best = 0;
                for (int m = 1; m < c.length; m++) {
                    if (c[m] > c[best]) {
                        best = m;
                    }
                }
                return models.get(best).get(name);
            }
            case REQUIRE_EQUAL: {
                long[] ref = proto.longValues();
                for (int m = 1; m < models.size(); m++) {
                    if (!Arrays.equals(ref, models.get(m).get(name).longValues())) {
                        throw new IllegalArgumentException("integer tensor '" + name + "' differs between '"
                                + models.get(0).label() + "' and '" + models.get(m).label()
                                + "'; expected equal values (dni.interpolation.integer-buffers = require-equal)");
                    }
                }
                return proto;
            }
            case ROUND: {
                int n = proto.size();
                double[] acc = new double[n];
                for (int m = 0; m < models.size(); m++) {
                    if (c[m] == 0.0) {
                        continue;
                    }
                    long[] x = models.get(m).get(name).longValues();
                    for (int i = 0; i < n; i++) {
                        acc[i] += c[m] * x[i];
                    }
                }
                long[] result = new long[n];
                for (int i = 0; i < n; i++) {
                    result[i] = Math.round(acc[i]);
                }
                return NamedTensor.ofLongs(name, proto.shape(), proto.dtype(), result);
            }
            default:
                throw new IllegalStateException("unknown rule " + rule);
        }
    }

    /**
     * Checks that every model has exactly the first model's tensor names, shapes and dtypes. The error lists every
     * missing, unexpected, shape-mismatched and dtype-mismatched tensor, not just the first.
     */
    public static void checkCompatible(List<ModelWeights> models) {
        ModelWeights ref = models.get(0);
        List<String> problems = new ArrayList<>();
        for (int m = 1; m < models.size(); m++) {
            ModelWeights other = models.get(m);
            for (String name : ref.names()) {
                if (!other.contains(name)) {
                    problems.add("missing in '" + other.label() + "': " + name + " " + ref.get(name).shapeString());
                    continue;
                }
                NamedTensor a = ref.get(name);
                NamedTensor b = other.get(name);
                if (!Arrays.equals(a.shape(), b.shape())) {
                    problems.add("shape mismatch for " + name + ": " + a.shapeString() + " in '" + ref.label()
                            + "' vs " + b.shapeString() + " in '" + other.label() + "'");
                } else if (a.dtype() != b.dtype()) {
                    problems.add("dtype mismatch for " + name + ": " + a.dtype() + " in '" + ref.label() + "' vs "
                            + b.dtype() + " in '" + other.label() + "'");
                }
            }
            for (String name : other.names()) {
                if (!ref.contains(name)) {
                    problems.add("unexpected in '" + other.label() + "' (not in '" + ref.label() + "'): " + name + " "
                            + other.get(name).shapeString());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightMismatchException("models cannot be interpolated (" + problems.size() + " problems)",
                    problems);
        }
    }
}
