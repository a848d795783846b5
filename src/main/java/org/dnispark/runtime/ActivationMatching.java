package org.dnispark.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.dnispark.align.Permutation;
import org.dnispark.align.PermutationSpec;
import org.dnispark.align.WeightMatching;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;

/**
 * Activation matching (Git Re-Basin, Sec. 3.1; Li et al. 2016): run both networks on the same images and order each
 * group of B's channels so that they correlate best with A's, by an exact linear assignment on the Pearson
 * correlations of the groups' convolution outputs (summed over the layers a residual tie joins). Unlike weight
 * matching, each group is solved once: B's activations do not depend on its own permutation.
 */
public final class ActivationMatching {
    private ActivationMatching() {
    }

    /** The permutation, with the weight-matching objective before and after for its provenance. */
    public static WeightMatching.Result align(NetworkSpec net, PermutationSpec spec, ModelWeights reference,
            ModelWeights model, List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("activation matching needs at least one image");
        }
        org.dnispark.align.WeightMatching.requireBounded(spec);
        long t0 = System.nanoTime();
        int tile = 1;
        for (RgbImage i : images) {
            tile = Math.max(tile, Math.max(i.width(), i.height()));
        }
        ActivationStatistics a = ActivationStatistics.retaining();
        ActivationStatistics b = ActivationStatistics.retaining();
        try (TiledPredictor p = new TiledPredictor(net, tile, 1, null, false)) {
            Renormalisation.measure(p, reference, images, a);
            Renormalisation.measure(p, model, images, b);
        }
        Map<String, int[]> orders = new HashMap<>();
        for (PermutationSpec.Group g : spec.groups()) {
            double[][] c = new double[g.size()][g.size()];
            for (String layer : PermutationSpec.producers(g, reference)) {
                if (!a.has(layer)) {
                    throw new IllegalArgumentException("activation matching: layer '" + layer + "' of group '"
                            + g.name() + "' was not observed; recorded: " + a.layers());
                }
                double[][] corr = a.correlation(layer, b);
                for (int i = 0; i < c.length; i++) {
                    for (int j = 0; j < c.length; j++) {
                        c[i][j] += corr[i][j];
                    }
                }
            }
            orders.put(g.name(), WeightMatching.maxAssignment(c));
        }
        return WeightMatching.evaluate(reference, model, new Permutation(spec, orders),
                (System.nanoTime() - t0) / 1_000_000);
    }
}
