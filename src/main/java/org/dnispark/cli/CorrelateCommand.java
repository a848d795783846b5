package org.dnispark.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;

import org.dnispark.config.SettingsException;
import org.dnispark.config.JobSettings;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.storage.ModelStore;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni correlate}: the filter correlation index (paper Eq. 3) between consecutive models of
 * {@code dni.models}, per layer (median, quartiles, minimum) and overall, with the paper's reading of it: 0.689 to 1
 * for pairs that interpolated well, under 0.1 for pairs that did not. No Spark.
 */
final class CorrelateCommand {
    /** Per-layer median correlations at or above this interpolated well in the paper. */
    static final double GOOD = 0.689;
    /** Below this the paper's pairs did not interpolate. */
    static final double POOR = 0.1;

    private CorrelateCommand() {
    }

    static String verdict(double median) {
        if (median >= GOOD) {
            return "correlated: likely to interpolate smoothly (paper: 0.689 to 1)";
        }
        if (median < POOR) {
            return "uncorrelated: interpolation likely collapses (paper: under 0.1)";
        }
        return "weakly correlated: between the paper's ranges; check with a sweep";
    }

    static Map<String, Object> run(Config c) {
        List<String> models = c.getStringList("dni.models");
        if (models.size() < 2) {
            throw new SettingsException("dni.models", "at least two models", models);
        }
        ModelStore store = new ModelStore(JobSettings.modelCache(c),
                Storage.configuration(JobSettings.hadoopSettings(c)));
        List<ModelStore.LoadedModel> loaded = new ArrayList<>();
        for (String m : models) {
            loaded.add(store.load(m));
        }
        List<Object> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < loaded.size(); i++) {
            List<FilterCorrelation.LayerSummary> layers = FilterCorrelation.compare(loaded.get(i).weights,
                    loaded.get(i + 1).weights);
            double overall = FilterCorrelation.medianOfLayerMedians(layers);
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("a", models.get(i));
            pair.put("b", models.get(i + 1));
            pair.put("median_of_layer_medians", overall);
            pair.put("lowest_layer_median", layers.stream().mapToDouble(l -> l.median).min().orElse(Double.NaN));
            pair.put("verdict", verdict(overall));
            List<Object> perLayer = new ArrayList<>();
            for (FilterCorrelation.LayerSummary l : layers) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("tensor", l.tensor);
                e.put("filters", l.filters);
                e.put("min", l.min);
                e.put("q1", l.q1);
                e.put("median", l.median);
                e.put("q3", l.q3);
                e.put("undefined", l.undefined);
                perLayer.add(e);
            }
            pair.put("layers", perLayer);
            pairs.add(pair);
        }
        return Map.of("pairs", pairs);
    }
}
