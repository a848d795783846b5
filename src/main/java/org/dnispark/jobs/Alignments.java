package org.dnispark.jobs;

import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.AlignSettings;
import org.dnispark.models.ModelSet;
import org.dnispark.runtime.ActivationMatching;
import org.dnispark.runtime.NetworkSpec;

/**
 * {@code dni.align} for every command: the models, each after the first permuted to line up with the first by weight
 * matching or, on a few clean images ({@link MeasurementImages}), by activation matching; unchanged when disabled.
 */
public final class Alignments {
    private Alignments() {
    }

    /**
     * @param defaultImages the run's input images, used when {@code dni.align.images} is empty (null when the command
     *                      has none)
     */
    public static ModelSet apply(AlignSettings s, ModelSet models, String defaultImages, List<String> extensions,
            Configuration conf) {
        if (!s.enabled()) {
            return models;
        }
        if (s.method() == AlignSettings.Method.WEIGHTS) {
            return models.aligned(s.maxPasses(), s.seed());
        }
        NetworkSpec net = models.network();
        models.permutationSpec(); // an unsupported network is refused before any image is read
        MeasurementImages images = MeasurementImages.read("dni.align.images", s.images().isEmpty() ? defaultImages
                : s.images(), s.count(), s.crop(), extensions, List.of(), 0, net.geometry().scale(), conf);
        return models.aligned("activation matching on " + images.names() + " (clean " + s.crop() + "-pixel centre "
                + "crops), one exact linear assignment per layer",
                (a, b, spec) -> ActivationMatching.align(net, spec, a, b, images.images()));
    }

    /** The image formats the commands without input settings read. */
    public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp");
}
