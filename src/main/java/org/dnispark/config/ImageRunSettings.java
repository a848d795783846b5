package org.dnispark.config;

import org.dnispark.provenance.Placement;

/**
 * What the transition and sweep jobs share.
 *
 * @param common    models, cache, interpolation, storage and output policy
 * @param input     the images and their degradation
 * @param inference tiling, threads, device, batch and padding
 * @param spark     where the job runs
 * @param seed      {@code dni.seed}: drives every random choice (noise)
 * @param report    what the run's report.html shows
 */
public record ImageRunSettings(CommonSettings common, ImageInputSettings input, InferenceSettings inference,
        @Placement SparkSettings spark, long seed, @Placement ReportSettings report) {

    public static ImageRunSettings read(SettingsReader r) {
        return new ImageRunSettings(CommonSettings.read(r), ImageInputSettings.read(r), InferenceSettings.read(r),
                SparkSettings.read(r), r.longIn("dni.seed", Long.MIN_VALUE, Long.MAX_VALUE), ReportSettings.read(r));
    }
}
