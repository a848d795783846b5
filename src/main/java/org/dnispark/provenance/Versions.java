package org.dnispark.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.dnispark.runtime.Engines;

/** Versions of everything a result depends on, and the source revision, for manifests. No Spark here. */
public final class Versions {
    private Versions() {
    }

    /**
     * dni-spark, Java, Hadoop, DJL, PyTorch and the OS, with {@code platform} (for example Spark and Scala, which
     * only the Spark jobs know) after Java.
     */
    public static Map<String, Object> of(Map<String, String> platform) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("dni-spark", buildProperties().getProperty("git.build.version", "unknown"));
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        v.putAll(platform);
        v.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
        v.put("djl", Engines.djlVersion());
        v.put("pytorch", Engines.pytorchVersion());
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return v;
    }

    /** The git commit the build came from and whether its tree was dirty ("unknown" outside a git checkout). */
    public static Map<String, Object> git() {
        Map<String, Object> g = new LinkedHashMap<>();
        Properties p = buildProperties();
        g.put("commit", p.getProperty("git.commit.id", "unknown"));
        g.put("dirty", Boolean.parseBoolean(p.getProperty("git.dirty", "false")));
        return g;
    }

    /** What the build recorded (git commit, dirty flag, project version); empty when run from an IDE's classes. */
    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/dni-spark-git.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // reported as unknown by the callers
        }
        return p;
    }
}
