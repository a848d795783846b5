package org.dnispark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jfree.chart.JFreeChart;

import org.dnispark.core.FilterCorrelation;
import org.dnispark.results.CorrelationResults;

/** The chart of correlate's Fig. 3/4 series analysis, drawn from {@code correlation.json}'s results type. */
public final class CorrelationCharts {
    private CorrelationCharts() {
    }

    /**
     * Per layer, the median correlation of each intermediate model's filters with the filters interpolated at its
     * alpha; over all layers, with the first and with the last model.
     */
    public static JFreeChart series(CorrelationResults report) {
        List<String> columns = new ArrayList<>();
        Map<String, Integer> column = new LinkedHashMap<>();
        for (CorrelationResults.SeriesPoint p : report.series()) {
            column.computeIfAbsent(p.model(), k -> {
                columns.add(String.format(Locale.ROOT, "%s (a=%.2f)", chartName(p.model()), p.alpha()));
                return columns.size() - 1;
            });
        }
        int n = columns.size();
        Map<String, double[]> perLayer = new LinkedHashMap<>();
        Map<Integer, List<double[]>> byColumn = new LinkedHashMap<>();
        for (CorrelationResults.SeriesPoint p : report.series()) {
            int c = column.get(p.model());
            perLayer.computeIfAbsent(p.tensor().replace(".weight", "") + " vs DNI", k -> nan(n))[c] =
                    p.medianVsInterpolated();
            byColumn.computeIfAbsent(c, k -> new ArrayList<>()).add(new double[] {p.medianVsFirst(),
                p.medianVsLast()});
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
        List<CorrelationResults.PairResult> pairs = report.pairs();
        String first = pairs.isEmpty() ? "first" : pairs.get(0).a();
        String last = pairs.isEmpty() ? "last" : pairs.get(pairs.size() - 1).b();
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
