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
    /**
     * Includes may name files and class-path resources, never URLs: configuration must not make the driver fetch
     * anything over the network ({@code include url("http://...")}, or a plain include that looks like one).
     */
    static final class LocalIncluder implements com.typesafe.config.ConfigIncluder,
            com.typesafe.config.ConfigIncluderURL, com.typesafe.config.ConfigIncluderFile,
            com.typesafe.config.ConfigIncluderClasspath {
        private com.typesafe.config.ConfigIncluder fallback;

        @Override
        public com.typesafe.config.ConfigIncluder withFallback(com.typesafe.config.ConfigIncluder f) {
            LocalIncluder copy = new LocalIncluder();
            copy.fallback = f;
            return copy;
        }

        @Override
        public com.typesafe.config.ConfigObject include(com.typesafe.config.ConfigIncludeContext context, String what) {
            if (what.matches("(?i)[a-z][a-z0-9+.-]*:.*") && !what.toLowerCase(java.util.Locale.ROOT).startsWith("file:")
                    && !what.toLowerCase(java.util.Locale.ROOT).startsWith("classpath:")) {
                throw refused(what);
            }
            // a plain include that names a file beside the including one: the same checks as include file(...)
            com.typesafe.config.ConfigParseable beside = context.relativeTo(what);
            if (beside != null && beside.origin() != null && beside.origin().filename() != null) {
                File f = new File(beside.origin().filename());
                if (f.exists()) {
                    return includeFile(context, f);
                }
            }
            return fallback.include(context, what);
        }

        @Override
        public com.typesafe.config.ConfigObject includeURL(com.typesafe.config.ConfigIncludeContext context,
                java.net.URL url) {
            if (!"file".equals(url.getProtocol())) {
                throw refused(url.toString());
            }
            return includeFile(context, new File(url.getPath()));
        }

        @Override
        public com.typesafe.config.ConfigObject includeFile(com.typesafe.config.ConfigIncludeContext context,
                File file) {
            requireConfigFile(file, "include of " + file);
            return ConfigFactory.parseFile(file, context.parseOptions()).root();
        }

        @Override
        public com.typesafe.config.ConfigObject includeResources(com.typesafe.config.ConfigIncludeContext context,
                String resource) {
            return ConfigFactory.parseResources(resource, context.parseOptions()).root();
        }

        private static SettingsException refused(String what) {
            return new SettingsException("include of " + what + ": configuration may include files and class-path "
                    + "resources only, never URLs (no network from configuration)");
        }
    }

    /** The most a configuration file (given or included) may hold. */
    static final long MAX_CONFIG_BYTES = 16L << 20;

    /**
     * Refuses a configuration file that is not a regular file (a device or a FIFO would block or never end) or holds
     * more than {@link #MAX_CONFIG_BYTES}, naming {@code what} and the reason.
     */
    static void requireConfigFile(File f, String what) {
        java.nio.file.Path p = f.toPath();
        if (!java.nio.file.Files.exists(p)) {
            throw new SettingsException(what + ": file not found");
        }
        if (!java.nio.file.Files.isRegularFile(p)) {
            throw new SettingsException(what + ": not a regular file (a device, a pipe or a folder); configuration "
                    + "is read from regular files only");
        }
        try {
            long size = java.nio.file.Files.size(p);
            if (size > MAX_CONFIG_BYTES) {
                throw new SettingsException(what + ": " + size + " bytes, more than the " + MAX_CONFIG_BYTES
                        + " a configuration file may hold");
            }
        } catch (java.io.IOException e) {
            throw new SettingsException(what + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    static ConfigParseOptions options() {
        return ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(new LocalIncluder());
    }

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
            config = config.withFallback(parseConfigFile(files.get(i), config));
        }
        return resolve(config);
    }

    /**
     * One {@code --config} file: a local path (relative paths against the working directory, where spark-submit's
     * {@code --files} puts shipped files), or any Hadoop URI ({@code s3a://bucket/jobs/sweep.conf},
     * {@code hdfs://...}), read with the Hadoop settings given so far on the command line
     * ({@code dni.spark.hadoop.*}) and by spark-submit ({@code spark.hadoop.*} system properties).
     */
    static Config parseConfigFile(String path, Config soFar) {
        boolean uri = path.matches("[A-Za-z][A-Za-z0-9+.-]+:.*") && !path.startsWith("file:");
        if (!uri) {
            File f = new File(path.startsWith("file:") ? java.net.URI.create(path).getPath() : path);
            requireConfigFile(f, "--config " + f);
            try {
                return ConfigFactory.parseFile(f, options());
            } catch (ConfigException e) {
                throw new SettingsException("--config " + f + ": " + e.getMessage());
            }
        }
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.hadoop."))
                .forEach(k -> conf.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
        if (soFar.hasPath("dni.spark.hadoop")) {
            new SettingsReader(soFar).flatStrings("dni.spark.hadoop").forEach(conf::set);
        }
        String text;
        try {
            text = new String(org.dnispark.storage.Storage.readAll(path, conf, 16L << 20, null),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException e) {
            throw new SettingsException("--config " + path + ": cannot read it (" + e.getMessage() + ")");
        }
        try {
            return ConfigFactory.parseString(text, options().setOriginDescription(path));
        } catch (ConfigException e) {
            throw new SettingsException("--config " + path + ": " + e.getMessage());
        }
    }

    /**
     * One {@code key=value} argument as HOCON; a value that is not valid HOCON (typically an unquoted URI such as
     * {@code s3a://bucket/x}) is taken as a plain string.
     */
    static Config override(String arg) {
        try {
            return ConfigFactory.parseString(arg, options());
        } catch (SettingsException e) {
            throw e;
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
        rejectUnknownKeys(user.withFallback(ConfigFactory.systemProperties()), user);
        return resolved;
    }

    private static void rejectUnknownKeys(Config user, Config files) {
        Set<String> roots = new TreeSet<>(files.root().keySet());
        roots.remove("dni");
        if (!roots.isEmpty()) {
            throw new SettingsException("unknown top-level configuration keys " + roots + "; every setting is under "
                    + "dni (a typo such as dnii.sweep.output would otherwise be ignored)");
        }
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
