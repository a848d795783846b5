package org.dnispark.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.ConfigLoader;
import org.dnispark.config.JobSettings;
import org.dnispark.config.SettingsException;
import org.dnispark.jobs.SparkSessions;
import org.dnispark.jobs.SweepJob;
import org.dnispark.jobs.TransitionJob;
import org.dnispark.runtime.Engines;

/**
 * Command line: {@code jobs/dni <transition|sweep> [--config FILE]... [key=value]...}. Loads and validates the
 * configuration before Spark starts, builds the session, runs the job and prints its summary.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.println("usage: jobs/dni <transition|sweep> [--config FILE]... [key=value]...\n"
                    + "       jobs/dni interpolate [--config FILE]... [key=value]...   (export one model)\n"
                    + "       jobs/dni correlate [--config FILE]... [key=value]...     (filter correlation, Eq. 3)\n"
                    + "       jobs/dni train [--config FILE]... [key=value]...         (train or fine-tune a denoiser)\n"
                    + "       jobs/dni copy SRC DST [--config FILE]... [key=value]...   (any Hadoop URIs)\n"
                    + "       jobs/dni bucket NAME [--config FILE]... [key=value]...    (create an S3 bucket)\n"
                    + "Every key is documented in src/main/resources/reference.conf.");
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("copy") || args[0].equals("bucket")) {
            return storageCommand(args);
        }
        if (args[0].equals("correlate") || args[0].equals("train")) {
            try {
                Config config = ConfigLoader.load(Arrays.asList(args).subList(1, args.length));
                Object result = args[0].equals("train") ? TrainCommand.run(config) : CorrelateCommand.run(config);
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(result));
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("dni: " + args[0] + ": " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("dni: " + args[0] + " failed: " + rootMessage(e));
                return 1;
            }
        }
        if (args[0].equals("interpolate")) {
            Config config;
            try {
                config = ConfigLoader.load(Arrays.asList(args).subList(1, args.length));
            } catch (IllegalArgumentException e) {
                System.err.println("dni: invalid configuration: " + e.getMessage());
                return 2;
            }
            try {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(InterpolateCommand.run(config)));
                return 0;
            } catch (SettingsException e) {
                System.err.println("dni: invalid configuration: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("dni: interpolate failed: " + rootMessage(e));
                return 1;
            }
        }
        JobSettings.Job job;
        switch (args[0]) {
            case "transition":
                job = JobSettings.Job.TRANSITION;
                break;
            case "sweep":
                job = JobSettings.Job.SWEEP;
                break;
            default:
                System.err.println("dni: unknown job '" + args[0] + "'; expected transition or sweep");
                return 2;
        }
        JobSettings settings;
        try {
            Config config = ConfigLoader.load(Arrays.asList(args).subList(1, args.length));
            settings = JobSettings.from(config, job);
        } catch (IllegalArgumentException e) {
            System.err.println("dni: invalid configuration: " + e.getMessage());
            return 2;
        }
        Engines.configure(settings.torchThreads);
        SparkSession spark = SparkSessions.create(settings);
        try {
            Map<String, Object> summary = job == JobSettings.Job.TRANSITION ? TransitionJob.run(spark, settings)
                    : SweepJob.run(spark, settings);
            // The full per-coefficient table is in the run's summary.json; print the headline only.
            Map<String, Object> headline = new java.util.LinkedHashMap<>(summary);
            headline.remove("per_coefficient");
            Map<String, Object> printed = new java.util.LinkedHashMap<>();
            printed.put("job", job.key());
            printed.put("output", settings.output);
            printed.put("summary", headline);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(printed));
            return 0;
        } catch (RuntimeException e) {
            System.err.println("dni: " + job.key() + " failed: " + rootMessage(e));
            return 1;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            System.err.println("dni: cannot print the summary: " + e.getMessage());
            return 1;
        } finally {
            spark.stop();
        }
    }

    private static int storageCommand(String[] args) {
        List<String> positional = new java.util.ArrayList<>();
        List<String> options = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                options.add(args[i]);
                options.add(args[++i]);
            } else if (args[i].contains("=") && !args[i].substring(0, args[i].indexOf('=')).matches(".*[/:].*")) {
                // key=value (a URI such as s3a://b/x=1 has ':' or '/' before its first '=')
                options.add(args[i]);
            } else {
                positional.add(args[i]);
            }
        }
        try {
            Map<String, String> hadoop = StorageCommands.hadoopSettings(options);
            return args[0].equals("copy") ? StorageCommands.copy(positional, hadoop)
                    : StorageCommands.bucket(positional, hadoop);
        } catch (IllegalArgumentException e) {
            System.err.println("dni: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("dni: " + args[0] + " failed: " + rootMessage(e));
            return 1;
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        List<Throwable> seen = new java.util.ArrayList<>();
        for (Throwable c = e.getCause(); c != null && !seen.contains(c); c = c.getCause()) {
            seen.add(c);
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append("\n  caused by: ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
