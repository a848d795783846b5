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
        StringBuilder overrides = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config")) {
                if (i + 1 >= args.size()) {
                    throw new SettingsException("--config needs a file argument");
                }
                files.add(args.get(++i));
            } else if (a.contains("=")) {
                overrides.append(a).append('\n');
            } else {
                throw new SettingsException("argument '" + a + "': expected --config FILE or key=value");
            }
        }
        Config config;
        try {
            config = ConfigFactory.parseString(overrides.toString());
        } catch (ConfigException e) {
            throw new SettingsException("command-line override: " + e.getMessage());
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
