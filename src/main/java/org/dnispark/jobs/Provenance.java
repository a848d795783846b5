package org.dnispark.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.spark.sql.SparkSession;

import org.dnispark.runtime.Engines;

/** Versions and source revision for the provenance manifest. */
public final class Provenance {
    private Provenance() {
    }

    /** Versions of everything a result depends on; {@code spark} null for the commands that run without Spark. */
    public static Map<String, Object> versions(SparkSession spark) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("dni-spark", String.valueOf(Provenance.class.getPackage().getImplementationVersion()));
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        if (spark != null) {
            v.put("spark", spark.version());
            v.put("scala", scala.util.Properties.versionNumberString());
        }
        v.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
        v.put("djl", Engines.djlVersion());
        v.put("pytorch", Engines.pytorchVersion());
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return v;
    }

    public static Map<String, Object> git() {
        Map<String, Object> g = new LinkedHashMap<>();
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/dni-spark-git.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // reported as unknown below
        }
        g.put("commit", p.getProperty("git.commit.id", "unknown"));
        g.put("dirty", Boolean.parseBoolean(p.getProperty("git.dirty", "false")));
        return g;
    }
}
