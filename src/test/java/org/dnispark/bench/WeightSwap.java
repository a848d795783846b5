package org.dnispark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.TiledPredictor;

/**
 * What one weight swap costs (the sweep's {@code weights_ms} per block and coefficient): a predictor's
 * {@code setWeights} over interpolated weight sets at five alphas, cycled as a sweep's task cycles its coefficients,
 * after a warm-up cycle. Prints milliseconds per swap. Usage: {@code WeightSwap CACHE MODEL_A MODEL_B [SWAPS]}.
 */
public final class WeightSwap {
    private WeightSwap() {
    }

    public static void main(String[] args) throws Exception {
        Engines.configure(1);
        ModelSet models = ModelSet.load(List.of(args[1], args[2]), new ModelStore(args[0], new Configuration(),
                new org.dnispark.models.ModelPolicy(org.dnispark.formats.ReadLimits.DEFAULT, true)));
        int swaps = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        List<ModelWeights> sets = new ArrayList<>();
        for (double a : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            sets.add(Interpolation.lerp(models.weights().get(0), models.weights().get(1), a,
                    Interpolation.Options.defaults()));
        }
        try (TiledPredictor p = new TiledPredictor(models.network(), 256, 1, null, false)) {
            for (ModelWeights w : sets) {
                p.setWeights(w);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < swaps; i++) {
                p.setWeights(sets.get(i % sets.size()));
            }
            System.out.printf(Locale.ROOT, "%.1f ms per swap (%d parameters, %s)%n",
                    (System.nanoTime() - t0) / 1e6 / swaps, models.weights().get(0).parameterCount(),
                    models.network().name());
        }
    }
}
