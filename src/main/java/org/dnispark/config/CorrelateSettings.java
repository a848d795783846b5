package org.dnispark.config;

import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.provenance.Placement;

/**
 * The correlate command: the filter correlation index (paper Eq. 3) between consecutive models.
 *
 * @param common       models, cache, storage and output policy
 * @param output       {@code dni.correlate.output}: a folder for the report files, or empty to print only
 * @param seriesAlphas {@code dni.correlate.series-alphas}: one per intermediate model, or empty
 * @param gridColumns  {@code dni.correlate.grid-columns}: filters per row of the first-layer grid
 * @param gridCell     {@code dni.correlate.grid-cell}: pixels per filter weight
 */
public record CorrelateSettings(CommonSettings common, @Placement String output, List<Double> seriesAlphas,
        int gridColumns, int gridCell) {

    public static CorrelateSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            CommonSettings common = CommonSettings.read(r);
            List<Double> series = r.numbers("dni.correlate.series-alphas");
            int models = common.models().size();
            if (!series.isEmpty() && series.size() != models - 2) {
                throw new SettingsException("dni.correlate.series-alphas", (models - 2)
                        + " alphas, one per intermediate model of dni.models", series.size());
            }
            for (double a : series) {
                if (a < 0 || a > 1) {
                    throw new SettingsException("dni.correlate.series-alphas", "alphas in [0, 1]", a);
                }
            }
            return new CorrelateSettings(common, r.string("dni.correlate.output"), List.copyOf(series),
                    r.intIn("dni.correlate.grid-columns", 1, 4096), r.intIn("dni.correlate.grid-cell", 1, 256));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }

    public double[] seriesAlphaArray() {
        return seriesAlphas.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
