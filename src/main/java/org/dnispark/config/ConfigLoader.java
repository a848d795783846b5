package org.dnispark.config;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;

/**
 * Builds the effective configuration: command-line {@code key=value} overrides, then {@code --config} files (later
 * files win), then JVM system properties, then {@code reference.conf}. Unknown keys under {@code dni} are rejected
 * so that a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    /** Sub-trees whose keys are free-form (passed through to Spark or Hadoop). */
    private static final List<String> FREE_FORM = List.of("dni.spark.conf", "dni.spark.hadoop", "dni.degradation");

    private ConfigLoader() {
    }

    /** Parses {@code --config FILE} and {@code key=value} arguments. */
    public static Config load(List<String> args) {
        List<String> files = new ArrayList<>();
        Config config = ConfigFactory.empty();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config")) {
                if (i + 1 >= args.size()) {
                    throw new SettingsException("--config needs a file argument");
                }
                files.add(args.get(++i));
            } else if (a.contains("=")) {
                // Later arguments win, as in a file.
                config = override(a).withFallback(config);
            } else {
                throw new SettingsException("argument '" + a + "': expected --config FILE or key=value");
            }
        }
        for (int i = files.size() - 1; i >= 0; i--) {
            File f = new File(files.get(i));
            if (!f.isFile()) {
                throw new SettingsException("--config " + f + ": file not found");
            }
            try {
                config = config.withFallback(ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false)));
            } catch (ConfigException e) {
                throw new SettingsException("--config " + f + ": " + e.getMessage());
            }
        }
        return resolve(config);
    }

    /**
     * One {@code key=value} argument as HOCON; a value that is not valid HOCON (typically an unquoted URI such as
     * {@code s3a://bucket/x}) is taken as a plain string.
     */
    static Config override(String arg) {
        try {
            return ConfigFactory.parseString(arg);
        } catch (ConfigException e) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq).trim();
            try {
                return ConfigFactory.empty().withValue(key,
                        com.typesafe.config.ConfigValueFactory.fromAnyRef(arg.substring(eq + 1).trim()));
            } catch (ConfigException e2) {
                throw new SettingsException("command-line override '" + arg + "': " + e.getMessage());
            }
        }
    }

    /** Adds system properties and reference.conf, resolves substitutions and rejects unknown keys. */
    public static Config resolve(Config user) {
        Config resolved;
        try {
            resolved = ConfigFactory.systemProperties().withFallback(user)
                    .withFallback(ConfigFactory.defaultReference()).resolve();
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage());
        }
        rejectUnknownKeys(user.withFallback(ConfigFactory.systemProperties()));
        return resolved;
    }

    private static void rejectUnknownKeys(Config user) {
        if (!user.hasPath("dni")) {
            return;
        }
        Config reference = ConfigFactory.defaultReference();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> e : user.getConfig("dni").entrySet()) {
            String path = "dni." + e.getKey();
            if (FREE_FORM.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "."))) {
                continue;
            }
            if (!reference.hasPathOrNull(path)) {
                unknown.add(path);
            }
        }
        if (!unknown.isEmpty()) {
            throw new SettingsException("unknown configuration keys " + unknown + "; every key is documented in "
                    + "src/main/resources/reference.conf");
        }
    }
}
