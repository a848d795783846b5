package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the Kubernetes route without a cluster (issue 27): the spark-operator manifest parses, its
 * class, jar, arguments and JVM flags are the ones the build and jobs/spark-submit use, and the Dockerfile puts the
 * jar where the manifest looks for it.
 */
class K8sManifestTest {
    @Test
    void theManifestRunsWhatTheBuildMakes() throws Exception {
        Path root = TestModels.projectRoot();
        JsonNode app = new ObjectMapper(new YAMLFactory()).readTree(root.resolve("jobs/k8s/sparkapplication.yaml")
                .toFile());
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion").asText());
        assertEquals("SparkApplication", app.get("kind").asText());
        JsonNode spec = app.get("spec");
        assertEquals("Java", spec.get("type").asText());
        assertEquals(Main.class.getName(), spec.get("mainClass").asText());
        String pom = Files.readString(root.resolve("pom.xml"));
        assertTrue(pom.contains("<outputFile>${project.build.directory}/dni-spark-app.jar</outputFile>"));
        String jar = spec.get("mainApplicationFile").asText();
        assertTrue(jar.startsWith("local://") && jar.endsWith("/dni-spark-app.jar"), jar);
        String dockerfile = Files.readString(root.resolve("jobs/k8s/Dockerfile"));
        assertTrue(dockerfile.contains("COPY target/dni-spark-app.jar " + jar.substring("local://".length())),
                dockerfile);
        Matcher spark = Pattern.compile("<spark.version>(.*)</spark.version>").matcher(pom);
        assertTrue(spark.find());
        assertEquals(spark.group(1), spec.get("sparkVersion").asText());
        assertTrue(dockerfile.contains("apache/spark:" + spark.group(1) + "-scala2.13-java17"), dockerfile);

        // the JVM flags are the build's (the ones jobs/dni and jobs/spark-submit pass)
        Matcher flags = Pattern.compile("<dni.jvm.flags>(.*)</dni.jvm.flags>").matcher(pom);
        assertTrue(flags.find());
        for (String side : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
            assertEquals(flags.group(1), spec.get("sparkConf").get(side).asText(), side);
        }

        // the arguments are a command Main runs, and every setting among them is one the configuration accepts
        List<String> args = new ArrayList<>();
        spec.get("arguments").forEach(a -> args.add(a.asText()));
        assertEquals("sweep", args.get(0));
        assertEquals("--config", args.get(1));
        List<String> settings = new ArrayList<>(List.of("--config", root.resolve("conf/demo.conf").toString()));
        settings.addAll(args.subList(3, args.size()));
        var config = ConfigLoader.load(settings);
        assertEquals("resume", config.getString("dni.output.if-exists"));
        assertEquals("s3a://bucket/spark-events", config.getString("dni.spark.event-log"));
    }
}
