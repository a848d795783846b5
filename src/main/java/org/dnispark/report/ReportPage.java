package org.dnispark.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.ReportSettings;
import org.dnispark.image.ContactStrip;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Metric;
import org.dnispark.metrics.MetricRegistry;

/**
 * {@code report.html}: one self-contained page for one or more runs. Charts are inline SVG, images inline PNG
 * (decoded and re-encoded, never copied through), the only script is the page's own slider code, and the page's
 * Content-Security-Policy forbids fetching anything: it works offline, from object storage or from a laptop.
 * Everything a run's files say is escaped before it reaches the page. The page depends only on the runs' files, so
 * the same runs give the same page.
 */
public final class ReportPage {
    static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            + "script-src 'unsafe-inline'";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The result columns of every metric there is, in the registry's order. */
    private static final List<String> METRICS = MetricRegistry.all().stream().map(Metric::column).toList();

    private final ReportSettings settings;
    private final Configuration conf;
    private final StringBuilder html = new StringBuilder();

    private ReportPage(ReportSettings settings, Configuration conf) {
        this.settings = settings;
        this.conf = conf;
    }

    /** The largest page written: runs from strangers must not be able to make a page of any size. */
    static final int MAX_PAGE_CHARS = 64 << 20;

    /** The page for these runs, in the order given. */
    public static String render(List<RunFolder> runs, ReportSettings settings, Configuration conf) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one run");
        }
        Charts.startPage();
        return new ReportPage(settings, conf).page(runs);
    }

    private String page(List<RunFolder> runs) {
        List<String> names = new ArrayList<>();
        runs.forEach(r -> names.add(r.job() + " " + r.name()));
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>dni-spark report: ").append(esc(String.join(", ", names))).append("</title>\n")
                .append("<style>").append(STYLE).append("</style></head>\n<body>\n")
                .append("<h1>dni-spark report</h1>\n<p class=\"runs\">");
        for (int i = 0; i < runs.size(); i++) {
            html.append(i == 0 ? "" : " · ").append("<a href=\"#run-").append(i).append("\">")
                    .append(esc(names.get(i))).append("</a>");
        }
        html.append("</p>\n");
        List<RunFolder> sweeps = runs.stream().filter(r -> r.job().equals("sweep")).toList();
        if (sweeps.size() > 1) {
            comparison(sweeps);
        }
        for (int i = 0; i < runs.size(); i++) {
            RunFolder r = runs.get(i);
            html.append("<section class=\"run\" id=\"run-").append(i).append("\" data-job=\"").append(esc(r.job()))
                    .append("\">\n<h2>").append(esc(r.job())).append(": ").append(esc(r.name())).append("</h2>\n");
            switch (r.job()) {
                case "sweep" -> sweep(r);
                case "transition" -> transition(r, matchingSweep(r, sweeps));
                default -> correlate(r);
            }
            provenance(r);
            html.append("</section>\n");
            if (html.length() > MAX_PAGE_CHARS) {
                throw new IllegalArgumentException("the report page grew past " + (MAX_PAGE_CHARS >> 20) + " Mi "
                        + "characters at run " + r.uri() + " (" + (i + 1) + " of " + runs.size() + "); report fewer "
                        + "runs at once, or lower dni.report.images");
            }
        }
        html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    // ---- sweeps ----

    /** A sweep's per-coefficient rows, and whether they are along alpha (two models) or by index. */
    private record SweepCurve(List<JsonNode> rows, double[] x, boolean alpha) {
        static SweepCurve of(RunFolder r) {
            List<JsonNode> rows = new ArrayList<>();
            r.results().path("per_coefficient").forEach(rows::add);
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("run " + r.uri() + ": summary.json has no per_coefficient rows");
            }
            boolean alpha = rows.stream().allMatch(n -> n.path("alpha").isNumber());
            double[] x = new double[rows.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = alpha ? rows.get(i).path("alpha").asDouble() : rows.get(i).path("index").asDouble();
            }
            return new SweepCurve(rows, x, alpha);
        }

        double[] values(String field) {
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = rows.get(i).path(field).asDouble(Double.NaN);
            }
            return v;
        }

        double[] spread(String metric, String field) {
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) {
                JsonNode s = rows.get(i).path(metric + "_spread");
                if (!s.has(field)) {
                    return null;
                }
                v[i] = s.path(field).asDouble();
            }
            return v;
        }

        Charts.Curve curve(String name, String metric) {
            return new Charts.Curve(name, x, values("mean_" + metric), spread(metric, "q1"), spread(metric, "q3"),
                    spread(metric, "min"), spread(metric, "max"));
        }

        String xLabel() {
            return alpha ? "alpha (0: first model, 1: last model)" : "coefficient index";
        }

        /** Where the row sits on the x axis. */
        double x(JsonNode row) {
            return alpha ? row.path("alpha").asDouble() : row.path("index").asDouble();
        }
    }

    /** A metric's title with its unit, for example {@code PSNR-Y (dB)}; an unknown column as it is. */
    static String title(String column) {
        return MetricRegistry.byColumn(column).map(m -> m.title() + (m.unit().isEmpty() ? "" : " (" + m.unit() + ")"))
                .orElse(column);
    }

    /** The sweep's dip or largest step, from its unit-free key or (runs before it) the one in dB. */
    private static double curveFigure(JsonNode s, String key) {
        return (s.has(key) ? s.path(key) : s.path(key + "_db")).asDouble();
    }

    private static String bestLabel(SweepCurve c, JsonNode best) {
        return (c.alpha() ? "best α = " : "best: ") + best.path("label").asText();
    }

    private void sweep(RunFolder r) {
        JsonNode s = r.results();
        SweepCurve c = SweepCurve.of(r);
        JsonNode best = s.path("best");
        String metric = s.path("metric").asText("psnr_y");
        html.append("<div class=\"headline\"><table>");
        row("method", s.path("method").asText());
        row("scored by", title(metric) + ", mean over images, " + s.path("metric_better").asText("higher")
                + " is better (crop border " + s.path("crop_border").asText() + ")");
        html.append("<tr><th>best coefficient</th><td class=\"best\" data-best-label=\"")
                .append(esc(best.path("label").asText())).append("\">").append(esc(best.path("label").asText()))
                .append(": ").append(Charts.number(best.path("mean_" + metric).asDouble())).append("</td></tr>");
        row("first / last", Charts.number(s.path("first").path("mean_" + metric).asDouble()) + " / "
                + Charts.number(s.path("last").path("mean_" + metric).asDouble()));
        row("dip below the worse endpoint", Charts.number(curveFigure(s, "dip_below_endpoints")));
        row("largest step between neighbours", Charts.number(curveFigure(s, "max_neighbour_step")));
        if (s.has("per_image_best_mean")) {
            row("mean when every image gets its own best", Charts.number(s.path("per_image_best_mean").asDouble()));
        }
        if (s.has("predictor") && s.path("predictor").has("mean_at_predicted")) {
            row("mean at each image's predicted alpha", Charts.number(s.path("predictor").path("mean_at_predicted")
                    .asDouble()) + " (alpha = " + Charts.number(s.path("predictor").path("intercept").asDouble())
                    + " + " + Charts.number(s.path("predictor").path("slope").asDouble()) + " x input noise, fitted on "
                    + s.path("predictor").path("fitted_on_images").asText() + " other images)");
        }
        if (s.has("search")) {
            JsonNode q = s.path("search");
            row("search", q.path("method").asText() + " to " + q.path("tolerance").asText() + ": "
                    + q.path("evaluations").size() + " points, " + q.path("inferences").asText() + " inferences ("
                    + q.path("grid_inferences").asText() + " for the " + q.path("grid_points").asText()
                    + "-point grid)");
        }
        row("images", s.path("images").asText() + " scored, " + s.path("rejected").asText() + " rejected");
        html.append("</table></div>\n<div class=\"charts\">\n");
        List<Charts.Mark> marks = List.of(new Charts.Mark(c.x(best), bestLabel(c, best) + " (by "
                + title(metric) + ")"));
        for (String m : METRICS) {
            if (!c.rows().get(0).has("mean_" + m)) {
                continue; // runs from before SSIM was scored
            }
            Charts.Drawn d = Charts.curves(title(m), c.xLabel(), title(m),
                    List.of(c.curve("mean", m)), marks, true, null, 560, 360);
            html.append("<figure class=\"chart\" data-metric=\"").append(m).append("\">").append(d.svg())
                    .append("<figcaption>Mean over images (line), interquartile range (band), lowest and highest "
                            + "image (dashed).</figcaption></figure>\n");
        }
        html.append("</div>\n");
        JsonNode perImage = s.path("best_per_image");
        if (perImage.isArray() && perImage.size() > 0) {
            List<String> cats = new ArrayList<>();
            double[] counts = new double[perImage.size()];
            int i = 0;
            for (JsonNode b : perImage) {
                cats.add(b.path("label").asText());
                counts[i++] = b.path("images").asDouble();
            }
            html.append("<div class=\"charts\"><figure class=\"chart\">").append(Charts.bars("Each image's best "
                    + "coefficient (" + title(metric) + ")", c.alpha() ? "alpha"
                    : "coefficient", "images", cats, counts, 560, 320)).append("</figure>\n");
        } else {
            html.append("<div class=\"charts\">");
        }
        JsonNode worst = s.path("worst_images");
        if (worst.isArray() && worst.size() > 0) {
            html.append("<figure class=\"table\"><figcaption>Worst images at the best coefficient (")
                    .append(esc(best.path("label").asText())).append(")</figcaption><table class=\"worst\"><tr>"
                            + "<th>image</th><th>at best</th><th>own best</th><th>there</th></tr>");
            for (JsonNode w : worst) {
                html.append("<tr><td>").append(esc(w.path("image").asText())).append("</td><td>")
                        .append(Charts.number(w.path("at_best").asDouble())).append("</td><td>")
                        .append(esc(w.path("own_best_label").asText())).append("</td><td>")
                        .append(Charts.number(w.path("own_best").asDouble())).append("</td></tr>");
            }
            html.append("</table></figure>");
        }
        html.append("</div>\n<details><summary>Every coefficient</summary><table class=\"coefficients\"><tr>"
                + "<th>index</th><th>label</th>");
        List<String> scored = METRICS.stream().filter(m -> c.rows().get(0).has("mean_" + m)).toList();
        for (String m : scored) {
            html.append("<th>").append(title(m)).append("</th>");
        }
        html.append("<th>images</th></tr>");
        for (JsonNode row : c.rows()) {
            html.append("<tr><td>").append(row.path("index").asInt()).append("</td><td>")
                    .append(esc(row.path("label").asText())).append("</td>");
            for (String m : scored) {
                html.append("<td>").append(row.has("mean_" + m) ? Charts.number(row.path("mean_" + m).asDouble())
                        : "").append("</td>");
            }
            html.append("<td>").append(row.path("images").asText()).append("</td></tr>");
        }
        html.append("</table></details>\n");
        regionAdaptive(r, s, metric);
    }

    /**
     * The sweep's region-adaptive composites: their means beside the best single alpha's, and for each framed image
     * its input, alpha map, the output at the best alpha and the composite, side by side.
     */
    private void regionAdaptive(RunFolder r, JsonNode s, String metric) {
        JsonNode a = s.path("region_adaptive");
        if (a.isMissingNode()) {
            return;
        }
        JsonNode best = s.path("best");
        html.append("<section class=\"adaptive\"><h3>Region-adaptive alpha</h3><table>");
        row("levels", a.path("levels").toString());
        row("flat / textured alpha", a.path("flat_alpha").asText() + " / " + a.path("textured_alpha").asText()
                + " (window " + a.path("smoothing").asText() + " px)");
        for (String m : METRICS) {
            if (a.has("mean_" + m)) {
                row(title(m), "region-adaptive " + Charts.number(a.path("mean_" + m).asDouble())
                        + ", best single alpha (" + best.path("label").asText() + ") "
                        + Charts.number(best.path("mean_" + m).asDouble()));
            }
        }
        html.append("</table>\n");
        for (JsonNode f : a.path("frames")) {
            String dir = f.path("folder").asText();
            String image = f.path("image").asText();
            html.append("<figure class=\"adaptive-frames\" data-image=\"").append(esc(image)).append("\">");
            String[][] panels = {
                {dir + "/input.png", "input"},
                {dir + "/alpha-map.png", "alpha map (black 0, white 1)"},
                {f.path("best_frame").asText(), "best single alpha " + best.path("label").asText() + ": "
                        + Charts.number(f.path(metric + "_at_best").asDouble())},
                {dir + "/region-adaptive.png", "region-adaptive: " + Charts.number(f.path(metric).asDouble())},
            };
            for (String[] p : panels) {
                try {
                    html.append("<div class=\"panel\"><img alt=\"").append(esc(p[1])).append("\" src=\"")
                            .append(pngData(r.bytes(p[0], conf), r.uri() + "/" + p[0], settings.frameHeight()))
                            .append("\"><div>").append(esc(p[1])).append("</div></div>");
                } catch (RuntimeException e) {
                    html.append("<div class=\"panel missing\">").append(esc(p[0])).append(": ")
                            .append(esc(e.getMessage())).append("</div>");
                }
            }
            html.append("<figcaption>").append(esc(image)).append(" (")
                    .append(esc(title(metric))).append(")</figcaption></figure>\n");
        }
        html.append("</section>\n");
    }

    /** Several sweeps on one chart per metric, and side by side in a table. */
    private void comparison(List<RunFolder> sweeps) {
        html.append("<section class=\"comparison\"><h2>Sweeps compared</h2>\n<table><tr><th>run</th><th>method"
                + "</th><th>models</th><th>best</th><th>score there</th><th>dip below the worse endpoint</th>"
                + "<th>largest step</th></tr>");
        for (RunFolder r : sweeps) {
            JsonNode s = r.results();
            String metric = s.path("metric").asText("psnr_y");
            html.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(esc(s.path("method").asText()))
                    .append("</td><td>").append(esc(modelNames(r))).append("</td><td>")
                    .append(esc(s.path("best").path("label").asText())).append("</td><td>")
                    .append(esc(title(metric))).append(' ')
                    .append(Charts.number(s.path("best").path("mean_" + metric).asDouble())).append("</td><td>")
                    .append(Charts.number(curveFigure(s, "dip_below_endpoints"))).append("</td><td>")
                    .append(Charts.number(curveFigure(s, "max_neighbour_step"))).append("</td></tr>");
        }
        html.append("</table>\n<div class=\"charts\">\n");
        for (String m : METRICS) {
            List<Charts.Curve> curves = new ArrayList<>();
            String xLabel = null;
            for (RunFolder r : sweeps) {
                SweepCurve c = SweepCurve.of(r);
                if (!c.rows().get(0).has("mean_" + m)) {
                    continue;
                }
                xLabel = xLabel == null ? c.xLabel() : xLabel;
                curves.add(Charts.Curve.meanOnly(r.name() + " (" + r.results().path("method").asText() + ")", c.x(),
                        c.values("mean_" + m)));
            }
            if (curves.isEmpty()) {
                continue;
            }
            html.append("<figure class=\"chart\" data-metric=\"").append(m).append("\">")
                    .append(Charts.curves(title(m) + ", mean over images", xLabel, title(m),
                            curves, List.of(), true, null, 560, 380).svg()).append("</figure>\n");
        }
        html.append("</div></section>\n");
    }

    // ---- transitions ----

    /** The first sweep among the runs of the same models and method, or the configured one, or none. */
    private RunFolder matchingSweep(RunFolder transition, List<RunFolder> sweeps) {
        List<RunFolder> candidates = new ArrayList<>(sweeps);
        if (!settings.sweep().isEmpty()) {
            candidates.add(RunFolder.read(settings.sweep(), conf, true));
        }
        for (RunFolder s : candidates) {
            if (s.modelDigests().equals(transition.modelDigests()) && s.results().path("method").asText()
                    .equals(transition.results().path("method").asText())) {
                return s;
            }
        }
        return null;
    }

    private void transition(RunFolder r, RunFolder sweep) {
        List<JsonNode> coefficients = new ArrayList<>();
        r.manifest().path("coefficients").forEach(coefficients::add);
        int n = coefficients.size();
        if (n == 0) {
            throw new IllegalArgumentException("run " + r.uri() + ": manifest.json lists no coefficients");
        }
        boolean alpha = coefficients.stream().allMatch(c -> c.path("alpha").isNumber());
        List<String> labels = new ArrayList<>();
        double[] xs = new double[n];
        for (int k = 0; k < n; k++) {
            JsonNode c = coefficients.get(k);
            labels.add((alpha ? "α = " : "coefficient ") + c.path("label").asText());
            xs[k] = alpha ? c.path("alpha").asDouble() : c.path("index").asDouble();
        }
        html.append("<div class=\"headline\"><table>");
        row("method", r.results().path("method").asText());
        row("frames", r.results().path("frames").asText() + " (" + n + " coefficients, "
                + r.results().path("strips").asText() + " images, " + r.results().path("rejected").asText()
                + " rejected)");
        if (sweep != null) {
            row("curve beside the frames", "sweep " + sweep.name() + " of the same models");
        }
        html.append("</table></div>\n");
        String curveSvg = null;
        double[] markerX = null;
        double top = 0;
        double bottom = 0;
        if (sweep != null) {
            SweepCurve c = SweepCurve.of(sweep);
            String metric = sweep.results().path("metric").asText("psnr_y");
            if (c.alpha() == alpha) {
                Charts.Drawn d = Charts.curves("Sweep " + sweep.name() + ": " + title(metric), c.xLabel(), title(metric),
                        List.of(c.curve("mean", metric)), List.of(new Charts.Mark(c.x(sweep.results().path("best")),
                                bestLabel(c, sweep.results().path("best")))), true, xs, 520, 340);
                curveSvg = d.svg();
                markerX = d.markerX();
                top = d.plotTop();
                bottom = d.plotBottom();
            }
        }
        List<String> images = r.firstImages(settings.images(), conf);
        for (String image : images) {
            String[] files = r.frames(image, n, conf);
            List<String> sources = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                sources.add(files[k] == null ? "" : pngData(r.bytes(files[k], conf), r.uri() + "/" + files[k],
                        settings.frameHeight()));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("src", sources);
            data.put("labels", labels);
            if (markerX != null) {
                data.put("x", markerX);
            }
            html.append("<figure class=\"transition\" data-image=\"").append(esc(image)).append("\">\n")
                    .append("<figcaption>").append(esc(image)).append("</figcaption>\n<div class=\"pair\">")
                    .append("<img class=\"frame\" alt=\"").append(esc(image)).append(" at the chosen coefficient\" "
                            + "data-index=\"0\" src=\"").append(sources.get(0)).append("\">");
            if (curveSvg != null) {
                String marker = String.format(Locale.ROOT, "<line class=\"alpha-marker\" x1=\"%.2f\" x2=\"%.2f\" "
                        + "y1=\"%.2f\" y2=\"%.2f\" stroke=\"#d62728\" stroke-width=\"3\"/>", markerX[0], markerX[0],
                        top, bottom);
                html.append("<div class=\"curve\">").append(curveSvg.replace("</svg>", marker + "</svg>"))
                        .append("</div>");
            }
            html.append("</div>\n<label class=\"slider\"><input type=\"range\" class=\"alpha\" min=\"0\" max=\"")
                    .append(n - 1).append("\" step=\"1\" value=\"0\" aria-label=\"coefficient of ").append(esc(image))
                    .append("\"> <span class=\"alpha-label\">").append(esc(labels.get(0))).append("</span></label>\n")
                    .append("<script type=\"application/json\" class=\"frames\">").append(scriptJson(data))
                    .append("</script>\n");
            String strip = "strips/" + image + ".png";
            if (r.has(strip, conf)) {
                html.append("<img class=\"strip\" alt=\"strip of ").append(esc(image)).append("\" src=\"")
                        .append(pngData(r.bytes(strip, conf), r.uri() + "/" + strip, 0)).append("\">\n");
            }
            html.append("</figure>\n");
        }
        long more = r.images() - images.size();
        if (more > 0) {
            html.append("<p>").append(more).append(" more image").append(more == 1 ? "" : "s")
                    .append(" (dni.report.images = ").append(settings.images()).append("): their frames, strips and "
                            + "animations are in the run folder, listed in frames.csv.</p>\n");
        }
    }

    // ---- correlate ----

    private void correlate(RunFolder r) {
        JsonNode report = r.results();
        html.append("<table class=\"pairs\"><tr><th>a</th><th>b</th><th>median of layer medians</th>"
                + "<th>lowest layer median</th><th>verdict</th></tr>");
        for (JsonNode p : report.path("pairs")) {
            html.append("<tr><td>").append(esc(shortName(p.path("a").asText()))).append("</td><td>")
                    .append(esc(shortName(p.path("b").asText()))).append("</td><td class=\"median\">")
                    .append(Charts.number(p.path("median_of_layer_medians").asDouble())).append("</td><td>")
                    .append(Charts.number(p.path("lowest_layer_median").asDouble())).append("</td><td class=\"verdict\">")
                    .append(esc(p.path("verdict").asText())).append("</td></tr>");
        }
        html.append("</table>\n");
        if (report.path("after_alignment").isArray()) {
            // dni.align.enabled: Eq. 3 again once every model is permuted to line up with the first
            html.append("<h3>After permutation alignment</h3><table class=\"pairs aligned\"><tr><th>a</th><th>b</th>"
                    + "<th>median of layer medians</th><th>lowest layer median</th><th>verdict</th></tr>");
            for (JsonNode p : report.path("after_alignment")) {
                html.append("<tr><td>").append(esc(shortName(p.path("a").asText()))).append("</td><td>")
                        .append(esc(shortName(p.path("b").asText()))).append("</td><td class=\"median\">")
                        .append(Charts.number(p.path("median_of_layer_medians").asDouble())).append("</td><td>")
                        .append(Charts.number(p.path("lowest_layer_median").asDouble()))
                        .append("</td><td class=\"verdict\">").append(esc(p.path("verdict").asText()))
                        .append("</td></tr>");
            }
            html.append("</table>\n<table class=\"alignment\"><tr><th>aligned model</th><th>channels moved</th>"
                    + "<th>weight cosine before</th><th>after</th><th>permutation SHA-256</th></tr>");
            for (JsonNode a : report.path("alignment")) {
                html.append("<tr><td>").append(esc(shortName(a.path("reference").asText()))).append("</td><td>")
                        .append(a.path("moved_channels").asInt()).append(" of ").append(a.path("channels").asInt())
                        .append("</td><td>").append(Charts.number(a.path("cosine_before").asDouble()))
                        .append("</td><td>").append(Charts.number(a.path("cosine_after").asDouble()))
                        .append("</td><td><code>").append(esc(a.path("permutation_sha256").asText()))
                        .append("</code></td></tr>");
            }
            html.append("</table>\n");
        }
        html.append("<div class=\"charts\">\n");
        double lower = 1;
        List<Charts.Box> boxes = new ArrayList<>();
        int layers = 0;
        List<JsonNode> pairs = new ArrayList<>();
        report.path("pairs").forEach(pairs::add);
        int plain = pairs.size();
        report.path("after_alignment").forEach(pairs::add);
        for (int pi = 0; pi < pairs.size(); pi++) {
            JsonNode p = pairs.get(pi);
            String pair = shortName(p.path("a").asText()) + " vs " + shortName(p.path("b").asText())
                    + (pi >= plain ? ", aligned" : "");
            int count = 0;
            for (JsonNode l : p.path("layers")) {
                double min = l.path("min").asDouble();
                double max = l.has("max") ? l.path("max").asDouble() : l.path("q3").asDouble();
                boxes.add(new Charts.Box(pair, l.path("tensor").asText().replace(".weight", ""), min,
                        l.path("q1").asDouble(), l.path("median").asDouble(), l.path("q3").asDouble(), max,
                        l.path("mean").asDouble(l.path("median").asDouble())));
                if (Double.isFinite(min)) {
                    lower = Math.min(lower, min);
                }
                count++;
            }
            layers = Math.max(layers, count);
        }
        if (!boxes.isEmpty()) {
            html.append("<figure class=\"chart wide\">").append(Charts.boxes("Eq. 3 filter correlation per layer",
                    "correlation of corresponding filters", boxes, Math.max(-1, Math.floor(lower * 10) / 10 - 0.05),
                    Math.max(720, Math.min(2400, 60 * layers)), 420))
                    .append("<figcaption>Each layer's filters: box from the first to the third quartile, line at the "
                            + "median, whiskers to the lowest and highest filter.</figcaption></figure>\n");
        }
        if (report.path("series").isArray() && report.path("series").size() > 0) {
            html.append("<figure class=\"chart wide\">").append(Charts.svg(CorrelationCharts.series(report),
                    900, 440, null)).append("</figure>\n");
        }
        html.append("</div>\n");
        if (r.has("first-layer-filters.png", conf)) {
            html.append("<figure class=\"filters\"><figcaption>First-layer filters of each model").append(
                    report.path("series").size() > 0 ? ", with the interpolated filters at each series alpha" : "")
                    .append("</figcaption><img alt=\"first-layer filters\" src=\"")
                    .append(pngData(r.bytes("first-layer-filters.png", conf), r.uri() + "/first-layer-filters.png", 0))
                    .append("\"></figure>\n");
        }
    }

    // ---- provenance ----

    private void provenance(RunFolder r) {
        JsonNode m = r.manifest();
        html.append("<details class=\"provenance\" open><summary>Provenance</summary><table>");
        row("run", m.path("run_id").asText(""));
        row("output", m.path("output").asText(""));
        row("fingerprint", m.path("fingerprint").asText(""));
        row("started / finished", m.path("started").asText("") + " / " + m.path("finished").asText(""));
        int i = 1;
        for (JsonNode model : m.path("models")) {
            StringBuilder files = new StringBuilder();
            for (JsonNode f : model.path("files")) {
                files.append(files.length() == 0 ? "" : "; ").append(f.path("uri").asText()).append(" sha256 ")
                        .append(f.path("sha256").asText());
            }
            if (model.has("sha256")) {
                files.append(files.length() == 0 ? "" : "; ").append("sha256 ").append(model.path("sha256").asText());
            }
            row("model " + i++, model.path("reference").asText("") + " (" + model.path("format").asText("") + "): "
                    + files);
        }
        row("method", m.path("method").asText(""));
        row("alpha convention", m.path("alpha_convention").asText(""));
        List<String> coefficients = new ArrayList<>();
        for (JsonNode c : m.path("coefficients")) {
            coefficients.add(c.path("label").asText() + " " + c.path("coefficients").toString());
        }
        if (!coefficients.isEmpty()) {
            row("coefficients", coefficients.size() + ": " + String.join(", ", coefficients));
        }
        List<String> degradation = new ArrayList<>();
        m.path("degradation").forEach(d -> degradation.add(d.asText()));
        if (m.has("degradation")) {
            row("degradation", degradation.isEmpty() ? "none" : String.join(", ", degradation));
        }
        row("seed", m.path("seed").asText(""));
        row("network", m.path("network").asText(""));
        row("spark", m.path("spark").isObject() ? m.path("spark").toString() : "");
        List<String> versions = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("versions").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            versions.add(e.getKey() + " " + e.getValue().asText());
        }
        row("versions", String.join(", ", versions));
        JsonNode git = m.path("git");
        row("git commit", git.path("commit").asText("") + (git.path("dirty").asBoolean(false) ? " (dirty tree)" : ""));
        html.append("</table></details>\n");
    }

    // ---- helpers ----

    private void row(String key, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        html.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>");
    }

    private static String modelNames(RunFolder r) {
        List<String> names = new ArrayList<>();
        r.manifest().path("models").forEach(m -> names.add(shortName(m.path("reference").asText())));
        return String.join(" → ", names);
    }

    static String shortName(String reference) {
        return reference.substring(reference.lastIndexOf('/') + 1);
    }

    /** An image of a run as a PNG data URI: decoded (which validates it), scaled to {@code maxHeight}, re-encoded. */
    static String pngData(byte[] bytes, String name, int maxHeight) {
        RgbImage img = ImageCodec.decode(bytes, name);
        if (maxHeight > 0 && img.height() > maxHeight) {
            img = ContactStrip.thumbnail(img, maxHeight);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageCodec.encodePng(img));
    }

    /** JSON for a script element: no "<" can close it early. */
    static String scriptJson(Object value) {
        try {
            return JSON.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text and attribute values, escaped for HTML. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** The page, as UTF-8. */
    public static byte[] bytes(String page) {
        return page.getBytes(StandardCharsets.UTF_8);
    }

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1280px;padding:0 1em;color:#222}
            h1{margin-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;font-size:.9em} th,td{padding:.2em .6em;border-bottom:1px solid #eee;
            text-align:left;vertical-align:top} .headline th{width:16em}
            .charts{display:flex;flex-wrap:wrap;gap:1em} figure{margin:.5em 0} figure.chart{flex:1 1 540px;
            max-width:620px} figure.chart.wide{max-width:100%;flex-basis:100%} svg{width:100%;height:auto}
            figure.adaptive-frames{display:flex;flex-wrap:wrap;gap:.5em} figure.adaptive-frames figcaption{flex-basis:100%}
            .panel{text-align:center;font-size:90%}
            figcaption{font-size:.85em;color:#555} .pair{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
            .pair img.frame{image-rendering:pixelated;max-width:100%} .pair .curve{flex:1 1 420px;max-width:560px}
            img.strip{max-width:100%;display:block;margin-top:.4em} .slider{display:block;margin:.4em 0}
            .slider input{width:min(520px,80%);vertical-align:middle} .provenance td{word-break:break-all}
            .filters img{max-width:100%;image-rendering:pixelated}
            """;

    private static final String SCRIPT = """
            document.querySelectorAll('figure.transition').forEach(function (fig) {
              var data = JSON.parse(fig.querySelector('script.frames').textContent);
              var img = fig.querySelector('img.frame');
              var range = fig.querySelector('input.alpha');
              var label = fig.querySelector('.alpha-label');
              var marker = fig.querySelector('line.alpha-marker');
              function show(k) {
                img.src = data.src[k];
                img.setAttribute('data-index', String(k));
                label.textContent = data.labels[k];
                if (marker && data.x) {
                  marker.setAttribute('x1', data.x[k]);
                  marker.setAttribute('x2', data.x[k]);
                }
              }
              range.addEventListener('input', function () { show(Number(range.value)); });
              show(Number(range.value));
            });
            """;
}
