package org.dnispark.report;

import static org.dnispark.report.ReportPage.esc;
import static org.dnispark.report.ReportPage.pngData;
import static org.dnispark.report.ReportPage.shortName;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.dnispark.results.CorrelationResults;

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
        CorrelationResults report;
        try {
            report = CorrelationResults.of(r.results());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run " + r.uri() + ": " + e.getMessage(), e);
        }
        pairTable("pairs", report.pairs());
        if (report.afterAlignment() != null) {
            // dni.align.enabled: Eq. 3 again once every model is permuted to line up with the first
            html.append("<h3>After permutation alignment</h3>");
            pairTable("pairs aligned", report.afterAlignment());
            html.append("<table class=\"alignment\"><tr><th>aligned model</th><th>channels moved</th>"
                    + "<th>weight cosine before</th><th>after</th><th>permutation SHA-256</th></tr>");
            // the aligner's own description of each model (a JSON list it writes), read where it is drawn
            for (JsonNode a : report.alignment() == null ? List.<JsonNode>of() : listOf(report.alignment())) {
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
        List<CorrelationResults.PairResult> pairs = new ArrayList<>(report.pairs());
        int plain = pairs.size();
        if (report.afterAlignment() != null) {
            pairs.addAll(report.afterAlignment());
        }
        for (int pi = 0; pi < pairs.size(); pi++) {
            CorrelationResults.PairResult p = pairs.get(pi);
            String pair = shortName(p.a()) + " vs " + shortName(p.b()) + (pi >= plain ? ", aligned" : "");
            int count = 0;
            for (CorrelationResults.LayerResult l : p.layers()) {
                boxes.add(new Charts.Box(pair, l.tensor().replace(".weight", ""), l.min(), l.q1(), l.median(), l.q3(),
                        l.max(), l.mean()));
                if (Double.isFinite(l.min())) {
                    lower = Math.min(lower, l.min());
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
        if (!report.series().isEmpty()) {
            html.append("<figure class=\"chart wide\">").append(Charts.svg(CorrelationCharts.series(report),
                    900, 440, null)).append("</figure>\n");
        }
        html.append("</div>\n");
        if (r.has("first-layer-filters.png", conf)) {
            html.append("<figure class=\"filters\"><figcaption>First-layer filters of each model").append(
                    report.series().isEmpty() ? "" : ", with the interpolated filters at each series alpha")
                    .append("</figcaption><img alt=\"first-layer filters\" src=\"")
                    .append(pngData(r.bytes("first-layer-filters.png", conf), r.uri() + "/first-layer-filters.png", 0))
                    .append("\"></figure>\n");
        }
    }

    /** The pairs' headline: each pair's median of layer medians, lowest layer median and verdict. */
    private void pairTable(String cssClass, List<CorrelationResults.PairResult> pairs) {
        html.append("<table class=\"").append(cssClass).append("\"><tr><th>a</th><th>b</th>"
                + "<th>median of layer medians</th><th>lowest layer median</th><th>verdict</th></tr>");
        for (CorrelationResults.PairResult p : pairs) {
            html.append("<tr><td>").append(esc(shortName(p.a()))).append("</td><td>")
                    .append(esc(shortName(p.b()))).append("</td><td class=\"median\">")
                    .append(Charts.number(p.medianOfLayerMedians())).append("</td><td>")
                    .append(Charts.number(p.lowestLayerMedian())).append("</td><td class=\"verdict\">")
                    .append(esc(p.verdict())).append("</td></tr>");
        }
        html.append("</table>\n");
    }

    private static List<JsonNode> listOf(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
