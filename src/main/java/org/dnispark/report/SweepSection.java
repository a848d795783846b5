package org.dnispark.report;

import static org.dnispark.report.ReportPage.esc;
import static org.dnispark.report.ReportPage.modelNames;
import static org.dnispark.report.ReportPage.pngData;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.dnispark.metrics.Metric;
import org.dnispark.metrics.MetricRegistry;

/**
 * A sweep on the page: its headline (best coefficient, endpoints, dip, per-image figures, search), each metric's
 * mean against alpha with its spread, each image's best, the worst images, every coefficient, and the region-adaptive
 * composites; and several sweeps compared on one chart per metric.
 */
final class SweepSection extends Section {
    /** The result columns of every metric there is, in the registry's order. */
    static final List<String> METRICS = MetricRegistry.all().stream().map(Metric::column).toList();

    SweepSection(ReportPage page) {
        super(page);
    }

    @Override
    void write(RunFolder run, List<RunFolder> runs) {
        sweep(run);
    }

    /** The sweep's dip or largest step, from its unit-free key or (runs before it) the one in dB. */
    private static double curveFigure(JsonNode s, String key) {
        return (s.has(key) ? s.path(key) : s.path(key + "_db")).asDouble();
    }

    static String bestLabel(SweepCurve c, JsonNode best) {
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
    void comparison(List<RunFolder> sweeps) {
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
}
