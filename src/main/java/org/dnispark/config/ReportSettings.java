package org.dnispark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * What goes into {@code report.html} (every run's, and {@code jobs/dni report}'s). None of it changes a run's other
 * results, except that {@code worstImages} bounds the worst-image list of a sweep's {@code summary.json}.
 *
 * @param html        {@code dni.report.html}: whether runs write {@code report.html}
 * @param images      {@code dni.report.images}: transition images shown with a slider (the first by name)
 * @param frameHeight {@code dni.report.frame-height}: frames taller than this are scaled down in the page
 * @param worstImages {@code dni.report.worst-images}: how many of a sweep's worst images are listed
 * @param sweep       {@code dni.report.sweep}: a finished sweep of the same models drawn beside a transition's frames,
 *                    or empty
 */
public record ReportSettings(boolean html, int images, int frameHeight, int worstImages, String sweep) {

    public static ReportSettings read(SettingsReader r) {
        return new ReportSettings(r.bool("dni.report.html"), r.intIn("dni.report.images", 0, 1000),
                r.intIn("dni.report.frame-height", 16, 8192), r.intIn("dni.report.worst-images", 0, 10_000),
                r.string("dni.report.sweep"));
    }

    public static ReportSettings from(Config resolved) {
        try {
            return read(new SettingsReader(resolved));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
