package org.dnispark.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The coefficient vectors of a run, in order (paper Eq. 2), each with everything reports need: its index, its
 * label, its alpha when it mixes two models, and its place along a contact strip. One list instead of parallel
 * lists, so that a vector never loses its label or alpha.
 */
public record CoefficientPlan(List<Coefficient> entries) implements Serializable {

    /**
     * One coefficient vector. {@code alpha} is the weight of the second of two models ({@code (1 - alpha) * A +
     * alpha * B}); null when the vector mixes three or more models. {@code position} is where its frame sits on a
     * strip, in [0, 1]: the alpha when there is one, else the index spread evenly. {@code schedule}, when not null,
     * gives every tensor its own alpha ({@link LayerSchedule}, two models); {@code vector} is then the mean of
     * {@code front} and {@code back}, for reports that need one number.
     */
    public record Coefficient(int index, double[] vector, String label, Double alpha, double position,
            LayerSchedule schedule) implements Serializable {
        public Coefficient {
            Objects.requireNonNull(vector, "vector");
            Objects.requireNonNull(label, "label");
            vector = vector.clone();
        }

        public boolean hasSchedule() {
            return schedule != null;
        }

        public boolean hasAlpha() {
            return alpha != null;
        }

        /** The vector itself (callers must not modify it). */
        @Override
        public double[] vector() {
            return vector;
        }
    }

    public CoefficientPlan {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one coefficient vector");
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).index() != i) {
                throw new IllegalArgumentException("coefficient " + i + " carries index " + entries.get(i).index());
            }
        }
    }

    /** Two models, one vector {@code [1 - alpha, alpha]} per alpha. */
    public static CoefficientPlan ofAlphas(List<Double> alphas) {
        List<double[]> vectors = new ArrayList<>();
        for (double a : alphas) {
            vectors.add(Coefficients.forAlpha(a));
        }
        return build(vectors, new ArrayList<>(alphas));
    }

    /** Explicit vectors, one weight per model; a vector of two weights has an alpha (its second weight). */
    public static CoefficientPlan ofVectors(List<double[]> vectors, int modelCount) {
        List<Double> alphas = new ArrayList<>();
        for (double[] v : vectors) {
            alphas.add(modelCount == 2 && v.length == 2 ? v[1] : null);
        }
        return build(vectors, alphas);
    }

    /**
     * The path {@code models[0] -> models[1] -> ...} in steps of {@code step} per segment; each segment's start is the
     * previous segment's end, so it appears once.
     */
    public static CoefficientPlan path(int modelCount, double step) {
        if (!(step > 0) || step > 1) {
            throw new IllegalArgumentException("path step " + step + " is outside (0, 1]");
        }
        List<double[]> vectors = new ArrayList<>();
        List<Double> alphas = new ArrayList<>();
        for (int seg = 0; seg + 1 < modelCount; seg++) {
            for (double t : Coefficients.grid(0, 1, step)) {
                if (seg > 0 && t == 0) {
                    continue;
                }
                double[] v = new double[modelCount];
                v[seg] = 1 - t;
                v[seg + 1] = t;
                vectors.add(v);
                alphas.add(modelCount == 2 ? t : null);
            }
        }
        return build(vectors, alphas);
    }

    private static CoefficientPlan build(List<double[]> vectors, List<Double> alphas) {
        List<Coefficient> out = new ArrayList<>();
        int n = vectors.size();
        for (int i = 0; i < n; i++) {
            Double alpha = alphas.get(i);
            double position = alpha != null ? alpha : (n == 1 ? 1.0 : i / (n - 1.0));
            out.add(new Coefficient(i, vectors.get(i), alpha != null ? format(alpha) : label(vectors.get(i)), alpha,
                    position, null));
        }
        return new CoefficientPlan(out);
    }

    /**
     * One coefficient per schedule, in order (two models). A uniform schedule without rules is plain DNI at its
     * alpha; the others are labelled by their front and back alphas and placed on strips by their index.
     */
    public static CoefficientPlan ofSchedules(List<LayerSchedule> schedules) {
        List<Coefficient> out = new ArrayList<>();
        int n = schedules.size();
        for (int i = 0; i < n; i++) {
            LayerSchedule sc = schedules.get(i);
            double mean = 0.5 * (sc.front() + sc.back());
            // one alpha when front and back agree (rules aside), so curves can place it; else placed by index
            Double alpha = sc.front() == sc.back() ? sc.front() : null;
            out.add(new Coefficient(i, Coefficients.forAlpha(mean), sc.isUniform() ? format(mean) : sc.label(), alpha,
                    alpha != null ? alpha : (n == 1 ? 1.0 : i / (n - 1.0)), sc.isUniform() ? null : sc));
        }
        return new CoefficientPlan(out);
    }

    /** Whether any coefficient has a per-layer schedule. */
    public boolean hasSchedules() {
        return entries.stream().anyMatch(Coefficient::hasSchedule);
    }

    /**
     * Checks every vector for {@code modelCount} models ({@link Coefficients#validate}); the message names the first
     * bad vector by its index.
     */
    public void validate(int modelCount, boolean allowExtrapolation) {
        for (Coefficient c : entries) {
            try {
                Coefficients.validate(c.vector(), modelCount, allowExtrapolation);
                if (c.hasSchedule()) {
                    for (double a : c.schedule().extremes()) {
                        Coefficients.validate(Coefficients.forAlpha(a), modelCount, allowExtrapolation);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((entries.size() > 1 ? "vector " + c.index() + ": " : "")
                        + e.getMessage(), e);
            }
        }
    }

    public int size() {
        return entries.size();
    }

    public Coefficient get(int k) {
        return entries.get(k);
    }

    public List<double[]> vectors() {
        List<double[]> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.vector()));
        return out;
    }

    public List<String> labels() {
        return entries.stream().map(Coefficient::label).toList();
    }

    public List<Double> positions() {
        return entries.stream().map(Coefficient::position).toList();
    }

    /** "0.35" for an alpha: six decimals at most, trailing zeros dropped, at least one decimal. */
    public static String format(double a) {
        String s = String.format(Locale.ROOT, "%.6f", a).replaceFirst("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }

    /** "0.2/0.3/0.5" for a vector. */
    public static String label(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(format(v[i]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "CoefficientPlan" + entries.stream().map(e -> Arrays.toString(e.vector())).toList();
    }
}
