package org.dnispark.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.SweepSettings;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Metric;

/**
 * The sweep's metrics made ready on the driver, once per run: each is {@link Metric#bind bound} to what it fits
 * (NIQE's natural-scene model, on {@code dni.niqe.pristine}, read only when a metric asks), and the bound metrics
 * travel to the executors inside the job's {@link BlockWork}.
 */
final class MetricBinding {
    private MetricBinding() {
    }

    static List<Metric> bind(SweepSettings.Scoring scoring, List<String> extensions, Configuration conf) {
        Metric.Fitting fitting = new Metric.Fitting() {
            private List<RgbImage> pristine;

            @Override
            public List<RgbImage> pristine() {
                if (pristine == null) {
                    pristine = read(scoring, extensions, conf);
                }
                return pristine;
            }
        };
        return scoring.computed().stream().map(m -> m.bind(fitting)).toList();
    }

    /** Bytes per ground-truth pixel the metrics keep beside an image in a block: its 8-bit copy and their planes. */
    static long referenceBytesPerPixel(List<Metric> metrics) {
        return 3 + metrics.stream().mapToLong(Metric::referenceBytesPerPixel).sum();
    }

    private static List<RgbImage> read(SweepSettings.Scoring scoring, List<String> extensions, Configuration conf) {
        List<RgbImage> images = new ArrayList<>();
        try {
            for (String folder : scoring.pristine()) {
                for (String uri : ImageFolders.list("dni.niqe.pristine", folder, extensions, conf)) {
                    images.add(ImageFolders.decode(uri, scoring.maxPixels(), "dni.niqe.max-pixels", conf));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("dni.niqe.pristine: " + e.getMessage(), e);
        }
        return images;
    }
}
