package org.dnispark.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.ConfigLoader;
import org.dnispark.config.ImageJobSettings;
import org.dnispark.config.SettingsException;
import org.dnispark.config.SweepSettings;
import org.dnispark.config.TransitionSettings;
import org.dnispark.jobs.SparkSessions;
import org.dnispark.jobs.SweepJob;
import org.dnispark.jobs.TransitionJob;
import org.dnispark.runtime.Engines;

/**
 * Command line: {@code jobs/dni <command> [--config FILE]... [key=value]...}. Loads and validates the configuration
 * before any work (and before Spark starts), runs the command and prints its summary. Exit codes: 0 done, 2 a usage
 * or configuration error, 1 a run-time failure.
 */
public final class Main {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args);
        if (inYarnApplicationMaster()) {
            // YARN's ApplicationMaster reports the final status when main returns (or throws); System.exit would run
            // its shutdown hook first and fail a published run with "Shutdown hook called before final status was
            // reported"
            if (code != 0) {
                throw new IllegalStateException("dni: exit code " + code + " (see the messages above)");
            }
            return;
        }
        System.exit(code);
    }

    /** Whether this JVM is a YARN cluster-mode driver, which runs inside the ApplicationMaster. */
    static boolean inYarnApplicationMaster() {
        return System.getProperty("spark.master", "").startsWith("yarn")
                && "cluster".equals(System.getProperty("spark.submit.deployMode", ""));
    }

    /** A command that needs no Spark: it runs on validated configuration and returns what to print. */
    interface Command {
        Object run(Config config) throws Exception;
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            error(Commands.usage());
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        return Commands.named(args[0]).map(c -> c.invocation().run(args[0], rest)).orElseGet(() -> {
            error("dni: unknown command '" + args[0] + "'; expected one of " + String.join(", ", Commands.names()));
            return 2;
        });
    }

    static int plain(String name, List<String> args, Command command) {
        Config config;
        try {
            config = ConfigLoader.load(args);
        } catch (IllegalArgumentException e) {
            error("dni: invalid configuration: " + e.getMessage());
            return 2;
        }
        try {
            System.out.println(JSON.writeValueAsString(command.run(config)));
            return 0;
        } catch (IllegalArgumentException e) {
            // settings and inputs refused before any work: usage errors
            error("dni: " + name + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            error("dni: " + name + " failed: " + rootMessage(e));
            return 1;
        } catch (OutOfMemoryError e) {
            error("dni: " + name + " failed: out of memory (" + e.getMessage() + ", heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): raise -Xmx through DNI_JAVA_OPTS, or give it "
                    + "smaller inputs");
            return 1;
        } catch (StackOverflowError e) {
            error("dni: " + name + " failed: an input nests deeper than this JVM's stack allows (raise -Xss through "
                    + "DNI_JAVA_OPTS only for inputs you trust)");
            return 1;
        }
    }

    static int job(String name, List<String> args) {
        ImageJobSettings settings;
        try {
            Config config = ConfigLoader.load(args);
            settings = name.equals("transition") ? TransitionSettings.from(config) : SweepSettings.from(config);
        } catch (IllegalArgumentException e) {
            error("dni: invalid configuration: " + e.getMessage());
            return 2;
        }
        Engines.configure(settings.run().inference().torchThreads());
        SparkSession spark;
        try {
            spark = SparkSessions.create(settings);
        } catch (SettingsException e) {
            error("dni: invalid configuration: " + e.getMessage());
            return 2;
        }
        try {
            Map<String, Object> summary = settings instanceof TransitionSettings t ? TransitionJob.run(spark, t)
                    : SweepJob.run(spark, (SweepSettings) settings);
            // The full per-coefficient table is in the run's summary.json; print the headline only.
            Map<String, Object> headline = new LinkedHashMap<>(summary);
            headline.remove("per_coefficient");
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("job", name);
            printed.put("output", settings.output());
            printed.put("summary", headline);
            System.out.println(JSON.writeValueAsString(printed));
            return 0;
        } catch (RuntimeException e) {
            error("dni: " + name + " failed: " + rootMessage(e));
            return 1;
        } catch (StackOverflowError e) {
            error("dni: " + name + " failed: an input nests deeper than this JVM's stack allows (raise -Xss through "
                    + "DNI_JAVA_OPTS only for inputs you trust)");
            return 1;
        } catch (OutOfMemoryError e) {
            // on the driver (the tasks turn theirs into ordinary failures): what it holds is the plan and the weights
            error("dni: " + name + " failed: the driver ran out of memory (" + e.getMessage() + ", heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): raise -Xmx (DNI_JAVA_OPTS, or "
                    + "spark.driver.memory with spark-submit) or lower dni.inference.broadcast-budget");
            return 1;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            error("dni: cannot print the summary: " + e.getMessage());
            return 1;
        } finally {
            spark.stop();
        }
    }

    /** Every message goes out with secret values masked: an error may quote a configured value or a URI. */
    static void error(String message) {
        System.err.println(org.dnispark.config.Redaction.mask(message));
    }

    static String rootMessage(Throwable e) {
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
