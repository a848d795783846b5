package org.dnispark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.provenance.Placement;

/** The sweep job: a metric for every image at every coefficient, its mean per coefficient, and the best one. */
public record SweepSettings(ImageRunSettings run, CoefficientPlan coefficients, Method method,
        @Placement String output, Scoring scoring) implements ImageJobSettings {

    /** Which mean score picks the best coefficient; {@link #column()} names its column in the result tables. */
    public enum Metric {
        Y("psnr_y"), RGB("psnr_rgb"), SSIM_Y("ssim_y"), SSIM_RGB("ssim_rgb");

        private final String column;

        Metric(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }
    }

    /**
     * How outputs are scored.
     *
     * @param groundTruth {@code dni.sweep.ground-truth}: a folder of ground truth (paired mode), or empty
     *                    (synthetic mode: the degraded references)
     * @param cropBorder  {@code dni.sweep.crop-border}: pixels removed from every edge; -1 means the model's scale
     * @param metric      {@code dni.sweep.metric}
     */
    public record Scoring(String groundTruth, int cropBorder, Metric metric) {
        public boolean paired() {
            return !groundTruth.isEmpty();
        }
    }

    @Override
    public String command() {
        return "sweep";
    }

    public static SweepSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            ImageRunSettings run = ImageRunSettings.read(r);
            Scoring scoring = new Scoring(r.string("dni.sweep.ground-truth"), r.intIn("dni.sweep.crop-border", -1, 1024),
                    r.choice("dni.sweep.metric", SettingsReader.choices("y", Metric.Y, "rgb", Metric.RGB, "ssim-y",
                            Metric.SSIM_Y, "ssim-rgb", Metric.SSIM_RGB)));
            if (!scoring.paired() && run.input().degradation().isEmpty()) {
                throw new SettingsException("dni.degradation: the sweep's synthetic mode (no dni.sweep.ground-truth) "
                        + "needs at least one degradation step, else inputs equal the ground truth");
            }
            return new SweepSettings(run, CoefficientReader.read(r, "dni.sweep", run.common()),
                    Method.read(r, "dni.sweep.method"), r.nonBlank("dni.sweep.output", "an output folder URI"), scoring);
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
