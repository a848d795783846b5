package org.dnispark.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;

import org.dnispark.config.CommonSettings;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.Redaction;
import org.dnispark.config.ReportSettings;
import org.dnispark.report.Report;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni report RUN... --output URI [--config FILE]... [key=value]...}: finished runs (any Hadoop URIs)
 * on one self-contained page, for example DNI and pixel-blending sweeps of the same models, a transition beside its
 * sweep, or several model pairs. Storage is configured as for the jobs ({@code dni.spark.hadoop}), the page by
 * {@code dni.report}. No Spark.
 */
final class ReportCommand {
    private ReportCommand() {
    }

    static int main(List<String> args) {
        List<String> rest = new ArrayList<>();
        String output = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--output")) {
                if (i + 1 >= args.size()) {
                    System.err.println("dni: report: --output needs a URI (a .html file or a folder)");
                    return 2;
                }
                output = args.get(++i);
            } else {
                rest.add(args.get(i));
            }
        }
        List<String> runs = new ArrayList<>();
        List<String> options = new ArrayList<>();
        StorageCommands.split(rest, runs, options);
        if (output == null || runs.isEmpty()) {
            System.err.println("usage: jobs/dni report RUN... --output URI [--config FILE]... [key=value]...");
            return 2;
        }
        Config config;
        ReportSettings settings;
        try {
            config = ConfigLoader.load(options);
            settings = ReportSettings.from(config);
        } catch (IllegalArgumentException e) {
            System.err.println(Redaction.mask("dni: invalid configuration: " + e.getMessage()));
            return 2;
        }
        try {
            String page = Report.combine(runs, output, settings, Storage.configuration(CommonSettings.hadoop(config)));
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("report", page);
            printed.put("runs", runs);
            System.out.println(Main.JSON.writeValueAsString(printed));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(Redaction.mask("dni: report: " + e.getMessage()));
            return 2;
        } catch (Exception e) {
            System.err.println(Redaction.mask("dni: report failed: " + Main.rootMessage(e)));
            return 1;
        } catch (OutOfMemoryError e) {
            System.err.println("dni: report failed: out of memory (" + e.getMessage() + ", heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): report fewer runs at once, or raise -Xmx "
                    + "through DNI_JAVA_OPTS");
            return 1;
        } catch (StackOverflowError e) {
            System.err.println("dni: report failed: a run's JSON nests deeper than this JVM's stack allows");
            return 1;
        }
    }
}
