package org.dnispark.report;

import static org.dnispark.report.ReportPage.esc;
import static org.dnispark.report.ReportPage.pngData;
import static org.dnispark.report.ReportPage.shortName;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** A correlate run on the page: the filter-correlation index per layer, its verdict and the series charts. */
final class CorrelationSection extends Section {
    CorrelationSection(ReportPage page) {
        super(page);
    }

    @Override
    void write(RunFolder run, List<RunFolder> runs) {
        correlate(run);
    }

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
}
