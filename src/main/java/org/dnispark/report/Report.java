package org.dnispark.report;

import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.ReportSettings;
import org.dnispark.storage.Storage;

/** Where report pages are written: into each run's own folder, and wherever {@code jobs/dni report} is told. */
public final class Report {
    /** A run's own report, beside its other files. */
    public static final String FILE = "report.html";

    private Report() {
    }

    /**
     * Writes a run's own {@code report.html} into {@code folder} (the run's staging folder: it is published with the
     * rest), naming the run {@code name}.
     */
    public static void writeForRun(String folder, String name, ReportSettings settings, Configuration conf) {
        RunFolder run = RunFolder.read(folder, conf, false).named(name);
        Storage.writeAtomically(folder + "/" + FILE, ReportPage.bytes(ReportPage.render(List.of(run), settings,
                conf)), conf);
    }

    /**
     * {@code jobs/dni report RUN... --output URI}: finished runs on one page. {@code output} is the page's URI when it
     * ends in {@code .html}, else a folder that gets {@code report.html}; returns the page's URI.
     */
    public static String combine(List<String> runs, String output, ReportSettings settings, Configuration conf) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs given; expected one or more run folders (URIs)");
        }
        List<RunFolder> folders = new ArrayList<>();
        for (String r : runs) {
            folders.add(RunFolder.read(r, conf, true));
        }
        String page = output.endsWith(".html") ? output : (output.endsWith("/") ? output : output + "/") + FILE;
        for (RunFolder f : folders) {
            if (page.startsWith(f.uri() + "/")) {
                throw new IllegalArgumentException("output " + page + " lies inside run " + f.uri()
                        + "; expected a page outside the runs it reads (a run folder is published whole)");
            }
        }
        Storage.writeAtomically(page, ReportPage.bytes(ReportPage.render(folders, settings, conf)), conf);
        return page;
    }
}
