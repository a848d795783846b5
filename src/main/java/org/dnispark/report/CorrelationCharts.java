package org.dnispark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.chart.JFreeChart;

import org.dnispark.core.FilterCorrelation;

/** The chart of correlate's Fig. 3/4 series analysis, drawn from {@code correlation.json}'s content. */
public final class CorrelationCharts {
    private CorrelationCharts() {
    }

    /**
     * Per layer, the median correlation of each intermediate model's filters with the filters interpolated at its
     * alpha; over all layers, with the first and with the last model.
     */
    public static JFreeChart series(JsonNode report) {
        List<String> columns = new ArrayList<>();
        Map<String, Integer> column = new LinkedHashMap<>();
        for (JsonNode p : report.path("series")) {
            String model = p.path("model").asText();
            column.computeIfAbsent(model, k -> {
                columns.add(String.format(Locale.ROOT, "%s (a=%.2f)", chartName(model), p.path("alpha").asDouble()));
                return columns.size() - 1;
            });
        }
        int n = columns.size();
        Map<String, double[]> perLayer = new LinkedHashMap<>();
        Map<Integer, List<double[]>> byColumn = new LinkedHashMap<>();
        for (JsonNode p : report.path("series")) {
            int c = column.get(p.path("model").asText());
            perLayer.computeIfAbsent(p.path("tensor").asText().replace(".weight", "") + " vs DNI", k -> nan(n))[c] =
                    p.path("median_vs_interpolated").asDouble(Double.NaN);
            byColumn.computeIfAbsent(c, k -> new ArrayList<>()).add(new double[] {
                p.path("median_vs_first").asDouble(Double.NaN), p.path("median_vs_last").asDouble(Double.NaN)});
        }
        List<Charts.Line> lines = new ArrayList<>();
        perLayer.forEach((k, v) -> lines.add(new Charts.Line(k, v)));
        double[] vsFirst = nan(n);
        double[] vsLast = nan(n);
        for (int c = 0; c < n; c++) {
            List<double[]> l = byColumn.get(c);
            vsFirst[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[0]).toArray());
            vsLast[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[1]).toArray());
        }
        JsonNode pairs = report.path("pairs");
        String first = pairs.size() > 0 ? pairs.get(0).path("a").asText() : "first";
        String last = pairs.size() > 0 ? pairs.get(pairs.size() - 1).path("b").asText() : "last";
        lines.add(new Charts.Line("all layers vs " + chartName(first), vsFirst));
        lines.add(new Charts.Line("all layers vs " + chartName(last), vsLast));
        double lo = 1;
        for (Charts.Line l : lines) {
            for (double v : l.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                }
            }
        }
        lo = Math.max(-1, Math.floor(Math.min(lo, 0.9) * 10) / 10);
        return Charts.categoryLines("Filter correlation (Eq. 3): fine-tuned models vs DNI", "median", columns, lines,
                lo, 1.0);
    }

    private static double[] nan(int n) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    /** A model reference without its folder and extension, at most 22 characters. */
    static String chartName(String reference) {
        String s = ReportPage.shortName(reference).replace(".safetensors", "");
        return s.length() > 22 ? s.substring(0, 22) : s;
    }
}
