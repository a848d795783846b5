package org.dnispark.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's Fig. 3/4 analysis for a series of models fine-tuned along one effect (N20, N30, ..., N60): how close
 * each intermediate model's filters are to the filters interpolated from the two ends at that level's alpha, and to
 * the ends themselves. If DNI works because fine-tuned filters move smoothly, the learned and interpolated filters
 * of each level correlate highly.
 */
public final class FineTuningSeries {
    private FineTuningSeries() {
    }

    /** One intermediate model, one layer. */
    public record Point(int model, double alpha, String tensor, double medianVsInterpolated, double medianVsFirst,
            double medianVsLast, double relativeDistanceToInterpolated) {
    }

    /**
     * For every intermediate model {@code models[k]} (0 < k < n-1) and its {@code alphas[k-1]}: per layer (weight
     * tensors of rank >= 2), the median filter correlation with {@code (1 - alpha) * first + alpha * last}, with
     * first, with last, and the relative L2 distance {@code |learned - interpolated| / |learned|}.
     */
    public static List<Point> analyse(List<ModelWeights> models, double[] alphas) {
        if (models.size() < 3) {
            throw new IllegalArgumentException("a fine-tuning series needs at least three models (first, "
                    + "intermediate..., last), got " + models.size());
        }
        if (alphas.length != models.size() - 2) {
            throw new IllegalArgumentException("a fine-tuning series of " + models.size() + " models needs "
                    + (models.size() - 2) + " alphas (one per intermediate model), got " + alphas.length);
        }
        Interpolation.checkCompatible(models);
        ModelWeights first = models.get(0);
        ModelWeights last = models.get(models.size() - 1);
        List<Point> out = new ArrayList<>();
        for (int k = 1; k < models.size() - 1; k++) {
            double alpha = alphas[k - 1];
            ModelWeights mix = Interpolation.lerp(first, last, alpha, Interpolation.Options.defaults());
            ModelWeights learned = models.get(k);
            for (NamedTensor t : learned.tensors()) {
                if (!t.dtype().isFloating() || t.shape().length < 2) {
                    continue;
                }
                double vsMix = FilterCorrelation.layer(t, mix.get(t.name())).median();
                double vsFirst = FilterCorrelation.layer(t, first.get(t.name())).median();
                double vsLast = FilterCorrelation.layer(t, last.get(t.name())).median();
                out.add(new Point(k, alpha, t.name(), vsMix, vsFirst, vsLast,
                        relativeDistance(t.floatValues(), mix.get(t.name()).floatValues())));
            }
        }
        return out;
    }

    static double relativeDistance(float[] learned, float[] other) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < learned.length; i++) {
            double e = learned[i] - other[i];
            d += e * e;
            n += (double) learned[i] * learned[i];
        }
        return n == 0 ? Double.NaN : Math.sqrt(d / n);
    }
}
