package org.dnispark.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The filter correlation index of paper Eq. 3: the Pearson correlation (mean removed, normalised) between
 * corresponding filters of two models, where a filter is one output channel of a weight tensor of rank >= 2.
 * The paper reports 0.689 to 1 for pairs that interpolate well and under 0.1 for pairs that do not.
 */
public final class FilterCorrelation {
    private FilterCorrelation() {
    }

    /**
     * Per-layer distribution of filter correlations: the tensor, its filter count, how many filters have zero
     * variance ({@code undefined}), the distribution of the others and every filter's value (NaN when undefined).
     */
    public record LayerSummary(String tensor, int filters, int undefined, Distribution distribution,
            double[] perFilter) {
        static LayerSummary of(String tensor, double[] perFilter) {
            double[] defined = Arrays.stream(perFilter).filter(Double::isFinite).sorted().toArray();
            return new LayerSummary(tensor, perFilter.length, perFilter.length - defined.length,
                    Distribution.of(defined), perFilter);
        }

        public double median() {
            return distribution.median();
        }
    }

    /** Minimum, quartiles (linear interpolation, numpy's default), maximum and mean; NaN when empty. */
    public record Distribution(double min, double q1, double median, double q3, double max, double mean) {
        /** The distribution of values already sorted ascending. */
        public static Distribution of(double[] sorted) {
            return new Distribution(sorted.length == 0 ? Double.NaN : sorted[0], quantile(sorted, 0.25),
                    quantile(sorted, 0.5), quantile(sorted, 0.75),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
                    sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN));
        }
    }

    /** Pearson correlation of two equally long vectors; NaN when either has zero variance. */
    public static double pearson(float[] a, int offA, float[] b, int offB, int n) {
        if (n < 2) {
            return Double.NaN;
        }
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[offA + i];
            mb += b[offB + i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[offA + i] - ma;
            double db = b[offB + i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        if (saa == 0 || sbb == 0) {
            return Double.NaN;
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Correlation of every filter (first-axis slice) of one tensor present in both models. */
    public static LayerSummary layer(NamedTensor a, NamedTensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("tensor '" + a.name() + "' has shape " + a.shapeString() + " vs "
                    + b.shapeString() + "; filter correlation needs equal shapes");
        }
        int filters = a.shape()[0];
        int len = filters == 0 ? 0 : a.size() / filters;
        double[] rho = new double[filters];
        float[] va = a.floatValues();
        float[] vb = b.floatValues();
        for (int f = 0; f < filters; f++) {
            rho[f] = pearson(va, f * len, vb, f * len, len);
        }
        return LayerSummary.of(a.name(), rho);
    }

    /** Summaries for every floating tensor of rank >= 2 (conv, deconv and linear weights), in model order. */
    public static List<LayerSummary> compare(ModelWeights a, ModelWeights b) {
        Interpolation.checkCompatible(List.of(a, b));
        List<LayerSummary> out = new ArrayList<>();
        for (NamedTensor t : a.tensors()) {
            if (t.dtype().isFloating() && t.shape().length >= 2) {
                out.add(layer(t, b.get(t.name())));
            }
        }
        return out;
    }

    /** Median over layers of the per-layer median correlation: the single number to compare with the paper's. */
    public static double medianOfLayerMedians(List<LayerSummary> layers) {
        return median(layers.stream().mapToDouble(LayerSummary::median).toArray());
    }

    /** Median of the finite values (NaN when there are none). */
    public static double median(double[] values) {
        return quantile(Arrays.stream(values).filter(Double::isFinite).sorted().toArray(), 0.5);
    }

    /** Linear-interpolation quantile of sorted values (numpy's default), NaN when empty. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
