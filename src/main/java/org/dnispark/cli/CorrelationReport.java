package org.dnispark.cli;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.dnispark.config.CorrelateSettings;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.FineTuningSeries;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.FilterGrid;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.LineChart;
import org.dnispark.models.ModelSet;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The report files of {@code correlate}: {@code layers.csv} (per-layer distribution), {@code filters.csv} (every
 * filter's index, as Eq. 3 defines it per filter), {@code series.csv} and {@code series.png} (the Fig. 3/4 series
 * analysis) and the first-layer filter grid {@code first-layer-filters.png}.
 */
final class CorrelationReport {
    private final CorrelateSettings settings;
    private final ModelSet models;
    private final CorrelateCommand.Analysis analysis;

    CorrelationReport(CorrelateSettings settings, ModelSet models, CorrelateCommand.Analysis analysis) {
        this.settings = settings;
        this.models = models;
        this.analysis = analysis;
    }

    /** Writes the files into the run's staging folder; returns their published URIs. */
    List<String> write(RunOutput out) {
        List<String> names = settings.common().models();
        StringBuilder layers = new StringBuilder("a,b,tensor,filters,undefined,min,q1,median,q3,max,mean\n");
        StringBuilder filters = new StringBuilder("a,b,tensor,filter,correlation\n");
        for (CorrelateCommand.Pair p : analysis.pairs()) {
            String a = csvField(names.get(p.a()));
            String b = csvField(names.get(p.b()));
            for (FilterCorrelation.LayerSummary l : p.layers()) {
                for (int f = 0; f < l.perFilter().length; f++) {
                    filters.append(a).append(',').append(b).append(',').append(l.tensor()).append(',').append(f)
                            .append(',').append(Double.isFinite(l.perFilter()[f])
                                    ? String.format(Locale.ROOT, "%.6f", l.perFilter()[f]) : "").append('\n');
                }
                FilterCorrelation.Distribution d = l.distribution();
                layers.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", a, b,
                        l.tensor(), l.filters(), l.undefined(), d.min(), d.q1(), d.median(), d.q3(), d.max(),
                        d.mean()));
            }
        }
        List<String> written = new ArrayList<>();
        text(out, "layers.csv", layers.toString(), written);
        text(out, "filters.csv", filters.toString(), written);
        if (!analysis.series().isEmpty()) {
            StringBuilder series = new StringBuilder("model,alpha,tensor,median_vs_interpolated,median_vs_first,"
                    + "median_vs_last,relative_distance_to_interpolated\n");
            for (FineTuningSeries.Point p : analysis.series()) {
                series.append(String.format(Locale.ROOT, "%s,%.4f,%s,%.6f,%.6f,%.6f,%.6f%n",
                        csvField(names.get(p.model())), p.alpha(), p.tensor(), p.medianVsInterpolated(),
                        p.medianVsFirst(), p.medianVsLast(), p.relativeDistanceToInterpolated()));
            }
            text(out, "series.csv", series.toString(), written);
            image(out, "series.png", seriesChart(names, analysis.series()), written);
        }
        image(out, "first-layer-filters.png", FilterGrid.draw(gridBlocks(names, models.weights(),
                settings.seriesAlphaArray()), settings.gridColumns(), settings.gridCell()), written);
        written.add(settings.output() + "/correlation.json");
        return written;
    }

    private void text(RunOutput out, String name, String content, List<String> written) {
        Storage.writeAtomically(out.file(name), content.getBytes(StandardCharsets.UTF_8), out.conf());
        written.add(settings.output() + "/" + name);
    }

    private void image(RunOutput out, String name, BufferedImage img, List<String> written) {
        Storage.writeAtomically(out.file(name), ImageCodec.encodePng(img), out.conf());
        written.add(settings.output() + "/" + name);
    }

    /**
     * The series as a chart: per layer, the median correlation of each intermediate model's filters with the filters
     * interpolated at its alpha; and, over all layers, with the first and the last model.
     */
    private static BufferedImage seriesChart(List<String> models, List<FineTuningSeries.Point> points) {
        List<String> x = new ArrayList<>();
        Map<Integer, Integer> column = new LinkedHashMap<>();
        for (FineTuningSeries.Point p : points) {
            column.computeIfAbsent(p.model(), k -> {
                x.add(String.format(Locale.ROOT, "%s (a=%.2f)", chartName(models.get(k)), p.alpha()));
                return x.size() - 1;
            });
        }
        int n = x.size();
        Map<String, double[]> perLayer = new LinkedHashMap<>();
        Map<Integer, List<double[]>> byColumn = new LinkedHashMap<>();
        for (FineTuningSeries.Point p : points) {
            int c = column.get(p.model());
            perLayer.computeIfAbsent(p.tensor().replace(".weight", "") + " vs DNI", k -> new double[n])[c] =
                    p.medianVsInterpolated();
            byColumn.computeIfAbsent(c, k -> new ArrayList<>()).add(new double[] {p.medianVsFirst(),
                p.medianVsLast()});
        }
        List<LineChart.Series> lines = new ArrayList<>();
        perLayer.forEach((k, v) -> lines.add(new LineChart.Series(k, v)));
        double[] vsFirst = new double[n];
        double[] vsLast = new double[n];
        for (int c = 0; c < n; c++) {
            List<double[]> l = byColumn.get(c);
            vsFirst[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[0]).toArray());
            vsLast[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[1]).toArray());
        }
        lines.add(new LineChart.Series("all layers vs " + chartName(models.get(0)), vsFirst));
        lines.add(new LineChart.Series("all layers vs " + chartName(models.get(models.size() - 1)), vsLast));
        double lo = 1;
        for (LineChart.Series l : lines) {
            for (double v : l.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                }
            }
        }
        lo = Math.max(-1, Math.floor(Math.min(lo, 0.9) * 10) / 10);
        return LineChart.draw("Filter correlation (Eq. 3): fine-tuned models vs DNI", "median", x, lines, lo, 1.0);
    }

    /** Each model's first weight tensor of rank 4; with a series, each level's interpolated filters below it. */
    private static List<FilterGrid.Block> gridBlocks(List<String> names, List<ModelWeights> weights,
            double[] alphas) {
        String first = null;
        for (NamedTensor t : weights.get(0).tensors()) {
            if (t.dtype().isFloating() && t.shape().length == 4) {
                first = t.name();
                break;
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("model '" + names.get(0) + "' has no convolution weights to draw");
        }
        List<FilterGrid.Block> blocks = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            blocks.add(new FilterGrid.Block(shortName(names.get(i)), weights.get(i).get(first)));
            if (alphas.length > 0 && i > 0 && i < weights.size() - 1) {
                double a = alphas[i - 1];
                ModelWeights mix = Interpolation.lerp(weights.get(0), weights.get(weights.size() - 1), a,
                        Interpolation.Options.defaults());
                blocks.add(new FilterGrid.Block(String.format(Locale.ROOT, "DNI alpha=%.2f", a), mix.get(first)));
            }
        }
        return blocks;
    }

    /** A model reference without its folder, at most 22 characters. */
    private static String shortName(String reference) {
        String s = reference.substring(reference.lastIndexOf('/') + 1);
        return s.length() > 22 ? s.substring(0, 22) : s;
    }

    private static String chartName(String reference) {
        return shortName(reference).replace(".safetensors", "");
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
