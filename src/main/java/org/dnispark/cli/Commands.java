package org.dnispark.cli;

import java.util.List;
import java.util.Optional;

/**
 * Every command of {@code jobs/dni}, in one list that {@link Main}'s dispatch, its usage text and its unknown-command
 * error all read: a name, its arguments, what it does and how it runs. Adding a command is one entry here.
 */
final class Commands {
    /** Runs a command on its arguments (after the name); returns the exit code (0 done, 2 usage, 1 failure). */
    interface Invocation {
        int run(String name, List<String> args);
    }

    /** One command: its name, its arguments as usage shows them, what it does, and how it runs. */
    record Entry(String name, String arguments, String purpose, Invocation invocation) {
    }

    private static final String SETTINGS = "[--config FILE]... [key=value]...";

    static final List<Entry> ALL = List.of(
            new Entry("transition", SETTINGS, "frames from one model to the other (Spark)", Main::job),
            new Entry("sweep", SETTINGS, "every image scored at every alpha (Spark)", Main::job),
            new Entry("interpolate", SETTINGS, "export one model",
                    (n, a) -> Main.plain(n, a, InterpolateCommand::run)),
            new Entry("align", SETTINGS, "permute models[1] to match models[0]",
                    (n, a) -> Main.plain(n, a, AlignCommand::run)),
            new Entry("correlate", SETTINGS, "filter correlation, Eq. 3", (n, a) -> Main.plain(n, a,
                    CorrelateCommand::run)),
            new Entry("train", SETTINGS, "train or fine-tune a network", (n, a) -> Main.plain(n, a,
                    TrainCommand::run)),
            new Entry("niqe", SETTINGS, "NIQE of folders of images", (n, a) -> Main.plain(n, a, NiqeCommand::run)),
            new Entry("report", "RUN... --output URI [key=value]...", "runs on one report.html",
                    (n, a) -> ReportCommand.main(a)),
            new Entry("copy", "SRC DST " + SETTINGS, "copy between any Hadoop URIs", StorageCommands::main),
            new Entry("bucket", "NAME " + SETTINGS, "create an S3 bucket", StorageCommands::main),
            new Entry("architectures", "", "the built-in architectures", (n, a) -> {
                System.out.print(org.dnispark.arch.ArchitectureRegistry.markdownTable());
                return 0;
            }));

    private Commands() {
    }

    static Optional<Entry> named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    static List<String> names() {
        return ALL.stream().map(Entry::name).toList();
    }

    /** The usage text: one line per command. */
    static String usage() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : ALL) {
            String call = "jobs/dni " + e.name() + (e.arguments().isEmpty() ? "" : " " + e.arguments());
            sb.append(sb.length() == 0 ? "usage: " : "       ").append(String.format("%-62s (%s)%n", call,
                    e.purpose()));
        }
        return sb.append("Every key is documented in src/main/resources/reference.conf.").toString();
    }
}
