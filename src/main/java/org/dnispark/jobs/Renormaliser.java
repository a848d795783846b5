package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.align.PermutationSpec;
import org.dnispark.config.RenormaliseSettings;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.RgbImage;
import org.dnispark.models.ModelSet;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.Renormalisation;

/**
 * The driver's side of {@code dni.renormalise}: the few images renormalisation measures on (read once, centre-cropped
 * and degraded as the run degrades its inputs), and each coefficient's interpolated weights renormalised on them. A
 * one-hot coefficient is an endpoint, which is returned as it is (bit for bit, as without renormalisation).
 */
public final class Renormaliser {
    private final ModelSet models;
    private final NetworkSpec network;
    private final PermutationSpec spec;
    private final List<RgbImage> images;
    private final List<String> names;
    private final Interpolation.Options options;
    private final Map<String, Object> report = new LinkedHashMap<>();

    private Renormaliser(ModelSet models, NetworkSpec network, List<RgbImage> images, List<String> names,
            Interpolation.Options options) {
        this.models = models;
        this.network = network;
        this.spec = models.permutationSpec();
        this.images = images;
        this.names = names;
        this.options = options;
    }

    /**
     * Reads the images of {@code s} ({@code defaultImages} when it names none) and checks that the models' network
     * can be renormalised; the error names the setting or the file.
     */
    public static Renormaliser prepare(RenormaliseSettings s, String defaultImages, List<String> extensions,
            List<DegradationStep> degradation, long seed, ModelSet models, NetworkSpec network,
            Interpolation.Options options, Configuration conf) {
        MeasurementImages m = MeasurementImages.read("dni.renormalise.images", s.images().isEmpty() ? defaultImages
                : s.images(), s.count(), s.crop(), extensions, degradation, seed, network.geometry().scale(), conf);
        List<RgbImage> images = m.images();
        List<String> names = m.names();
        return new Renormaliser(models, network, images, names, options);
    }

    /** The weights of one coefficient: interpolated, then renormalised unless it is one model exactly. */
    public ModelWeights build(double[] vector) {
        ModelWeights mix = Interpolation.interpolate(models.weights(), vector, options);
        int nonZero = 0;
        for (double c : vector) {
            nonZero += c != 0 ? 1 : 0;
        }
        if (nonZero <= 1) {
            return mix;
        }
        Renormalisation.Result r = Renormalisation.apply(network, spec, models.weights(), vector, mix, images);
        synchronized (report) {
            report.put(java.util.Arrays.toString(vector), r.describe());
        }
        return r.weights();
    }

    /** For the manifest: the images measured on and, per coefficient built, each layer's error before and after. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("method", "REPAIR-style: batch-norm statistics reset, other hidden convolutions rescaled per channel "
                + "to the statistics interpolated from the endpoints'");
        d.put("images", names);
        synchronized (report) {
            d.put("by_coefficient", new LinkedHashMap<>(report));
        }
        return d;
    }
}
