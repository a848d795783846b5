package org.dnispark.report;

import java.util.List;
import java.util.function.Function;

/**
 * The job kinds a report can show, in one list that {@link RunFolder} (which file holds a run's results) and
 * {@link ReportPage} (which section draws it) both read: a run of a kind not listed is refused by name, never drawn
 * as another kind. Adding a kind is one entry here and its {@link Section}.
 */
final class Sections {
    /**
     * One job kind: its name in {@code manifest.json}, the file beside the manifest that holds its results (null: the
     * manifest's own {@code summary}), and its section.
     */
    record Kind(String job, String resultsFile, Function<ReportPage, Section> section) {
    }

    static final List<Kind> ALL = List.of(
            new Kind("sweep", "summary.json", SweepSection::new),
            new Kind("transition", null, TransitionSection::new),
            new Kind("correlate", "correlation.json", CorrelationSection::new));

    private Sections() {
    }

    /** The kind named {@code job}; an IllegalArgumentException names the kinds there are. */
    static Kind of(String job) {
        return ALL.stream().filter(k -> k.job().equals(job)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("job '" + job + "', which has no report section; expected "
                        + String.join(", ", ALL.stream().map(Kind::job).toList())));
    }
}
