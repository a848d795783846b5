package org.dnispark.report;

import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.ReportSettings;
import org.dnispark.metrics.MetricRegistry;

/**
 * One job kind's part of a report page, written into the page's HTML; {@link Sections} says which section a run's job
 * gets. A section reads only its run's files ({@link RunFolder}) and escapes everything they say.
 */
abstract class Section {
    final ReportPage page;
    final StringBuilder html;
    final ReportSettings settings;
    final Configuration conf;

    Section(ReportPage page) {
        this.page = page;
        this.html = page.html;
        this.settings = page.settings;
        this.conf = page.conf;
    }

    /** Writes {@code run}'s part; {@code runs} are every run on the page (a transition looks for its sweep). */
    abstract void write(RunFolder run, List<RunFolder> runs);

    /** A headline row, left out when the value is empty. */
    void row(String key, String value) {
        page.row(key, value);
    }

    /** A metric's title with its unit, for example {@code PSNR-Y (dB)}; an unknown column as it is. */
    static String title(String column) {
        return MetricRegistry.byColumn(column).map(m -> m.title() + (m.unit().isEmpty() ? "" : " (" + m.unit() + ")"))
                .orElse(column);
    }
}
