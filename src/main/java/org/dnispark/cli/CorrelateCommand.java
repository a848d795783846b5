package org.dnispark.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.JobSettings;
import org.dnispark.config.SettingsException;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.FineTuningSeries;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.FilterGrid;
import org.dnispark.image.ImageCodec;
import org.dnispark.storage.ModelStore;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni correlate}: the filter correlation index (paper Eq. 3) between consecutive models of
 * {@code dni.models} (and between the first and the last when there are more than two), per layer (median,
 * quartiles, minimum) and overall, with the paper's reading of it: 0.689 to 1 for pairs that interpolated well,
 * under 0.1 for pairs that did not. With {@code dni.correlate.series-alphas}, the Fig. 3/4 analysis of a fine-tuning
 * series. With {@code dni.correlate.output}, the report files: {@code correlation.json}, {@code layers.csv},
 * {@code filters.csv} (every filter's index), {@code series.csv} and {@code series.png}, and the first-layer filter
 * grid {@code first-layer-filters.png}. No Spark.
 */
final class CorrelateCommand {
    /** Per-layer median correlations at or above this interpolated well in the paper. */
    static final double GOOD = 0.689;
    /** Below this the paper's pairs did not interpolate. */
    static final double POOR = 0.1;

    private CorrelateCommand() {
    }

    static String verdict(double median) {
        if (median >= GOOD) {
            return "correlated: likely to interpolate smoothly (paper: 0.689 to 1)";
        }
        if (median < POOR) {
            return "uncorrelated: interpolation likely collapses (paper: under 0.1)";
        }
        return "weakly correlated: between the paper's ranges; check with a sweep";
    }

    static Map<String, Object> run(Config c) throws IOException {
        List<String> models;
        String output;
        double[] seriesAlphas;
        int columns;
        int cell;
        try {
            models = c.getStringList("dni.models");
            output = c.getString("dni.correlate.output").trim();
            seriesAlphas = c.getDoubleList("dni.correlate.series-alphas").stream().mapToDouble(Double::doubleValue)
                    .toArray();
            columns = c.getInt("dni.correlate.grid-columns");
            cell = c.getInt("dni.correlate.grid-cell");
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage());
        }
        if (models.size() < 2) {
            throw new SettingsException("dni.models", "at least two models", models);
        }
        if (seriesAlphas.length > 0 && seriesAlphas.length != models.size() - 2) {
            throw new SettingsException("dni.correlate.series-alphas", (models.size() - 2)
                    + " alphas, one per intermediate model of dni.models", seriesAlphas.length);
        }
        for (double a : seriesAlphas) {
            if (!(a >= 0 && a <= 1)) {
                throw new SettingsException("dni.correlate.series-alphas", "alphas in [0, 1]", a);
            }
        }
        if (columns < 1 || cell < 1) {
            throw new SettingsException("dni.correlate.grid-columns and grid-cell", "positive integers",
                    columns + " and " + cell);
        }
        Configuration conf = Storage.configuration(JobSettings.hadoopSettings(c));
        boolean overwrite = JobSettings.ifExists(c) == org.dnispark.storage.RunOutput.Policy.OVERWRITE;
        if (!output.isEmpty() && Storage.exists(output + "/correlation.json", conf) && !overwrite) {
            throw new IllegalStateException("output " + output + " already holds a report; choose another "
                    + "dni.correlate.output or set dni.output.if-exists = overwrite");
        }
        ModelStore store = new ModelStore(JobSettings.modelCache(c), conf);
        List<ModelStore.LoadedModel> loaded = new ArrayList<>();
        List<ModelWeights> weights = new ArrayList<>();
        for (String m : models) {
            ModelStore.LoadedModel l = store.load(m);
            loaded.add(l);
            weights.add(l.weights);
        }
        List<int[]> pairIndices = new ArrayList<>();
        for (int i = 0; i + 1 < loaded.size(); i++) {
            pairIndices.add(new int[] {i, i + 1});
        }
        if (loaded.size() > 2) {
            pairIndices.add(new int[] {0, loaded.size() - 1});
        }
        StringBuilder csv = new StringBuilder("a,b,tensor,filters,undefined,min,q1,median,q3,max,mean\n");
        StringBuilder filterCsv = new StringBuilder("a,b,tensor,filter,correlation\n");
        List<Object> pairs = new ArrayList<>();
        for (int[] ij : pairIndices) {
            List<FilterCorrelation.LayerSummary> layers = FilterCorrelation.compare(weights.get(ij[0]),
                    weights.get(ij[1]));
            double overall = FilterCorrelation.medianOfLayerMedians(layers);
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("a", models.get(ij[0]));
            pair.put("b", models.get(ij[1]));
            pair.put("median_of_layer_medians", overall);
            pair.put("lowest_layer_median", layers.stream().mapToDouble(l -> l.median).min().orElse(Double.NaN));
            pair.put("verdict", verdict(overall));
            List<Object> perLayer = new ArrayList<>();
            for (FilterCorrelation.LayerSummary l : layers) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("tensor", l.tensor);
                e.put("filters", l.filters);
                e.put("min", l.min);
                e.put("q1", l.q1);
                e.put("median", l.median);
                e.put("q3", l.q3);
                e.put("undefined", l.undefined);
                perLayer.add(e);
                for (int f = 0; f < l.perFilter.length; f++) {
                    filterCsv.append(csvField(models.get(ij[0]))).append(',').append(csvField(models.get(ij[1])))
                            .append(',').append(l.tensor).append(',').append(f).append(',')
                            .append(Double.isFinite(l.perFilter[f]) ? String.format(Locale.ROOT, "%.6f",
                                    l.perFilter[f]) : "").append('\n');
                }
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n",
                        csvField(models.get(ij[0])), csvField(models.get(ij[1])), l.tensor, l.filters, l.undefined,
                        l.min, l.q1, l.median, l.q3, l.max, l.mean));
            }
            pair.put("layers", perLayer);
            pairs.add(pair);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pairs", pairs);
        StringBuilder seriesCsv = null;
        java.awt.image.BufferedImage seriesChart = null;
        if (seriesAlphas.length > 0) {
            seriesCsv = new StringBuilder("model,alpha,tensor,median_vs_interpolated,median_vs_first,median_vs_last,"
                    + "relative_distance_to_interpolated\n");
            List<Object> series = new ArrayList<>();
            List<FineTuningSeries.Point> points = FineTuningSeries.analyse(weights, seriesAlphas);
            for (FineTuningSeries.Point p : points) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("model", models.get(p.model()));
                e.put("alpha", p.alpha());
                e.put("tensor", p.tensor());
                e.put("median_vs_interpolated", p.medianVsInterpolated());
                e.put("median_vs_first", p.medianVsFirst());
                e.put("median_vs_last", p.medianVsLast());
                e.put("relative_distance_to_interpolated", p.relativeDistanceToInterpolated());
                series.add(e);
                seriesCsv.append(String.format(Locale.ROOT, "%s,%.4f,%s,%.6f,%.6f,%.6f,%.6f%n",
                        csvField(models.get(p.model())), p.alpha(), p.tensor(), p.medianVsInterpolated(),
                        p.medianVsFirst(), p.medianVsLast(), p.relativeDistanceToInterpolated()));
            }
            report.put("series", series);
            seriesChart = seriesChart(models, points);
        }
        if (!output.isEmpty()) {
            List<String> written = new ArrayList<>();
            write(conf, output + "/layers.csv", csv.toString(), written);
            // every filter's index, as the paper's Eq. 3 defines it per filter
            write(conf, output + "/filters.csv", filterCsv.toString(), written);
            if (seriesCsv != null) {
                write(conf, output + "/series.csv", seriesCsv.toString(), written);
                Storage.writeAtomically(output + "/series.png", ImageCodec.encodePng(seriesChart), conf);
                written.add(output + "/series.png");
            }
            byte[] grid = ImageCodec.encodePng(FilterGrid.draw(gridBlocks(models, weights, seriesAlphas), columns,
                    cell));
            Storage.writeAtomically(output + "/first-layer-filters.png", grid, conf);
            written.add(output + "/first-layer-filters.png");
            written.add(output + "/correlation.json");
            report.put("files", written);
            // the JSON last: it marks a complete report
            write(conf, output + "/correlation.json", new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report), null);
        }
        return report;
    }

    /**
     * The series as a chart: per layer, the median correlation of each intermediate model's filters with the filters
     * interpolated at its alpha; and, over all layers, with the first and the last model.
     */
    private static java.awt.image.BufferedImage seriesChart(List<String> models, List<FineTuningSeries.Point> points) {
        List<String> x = new ArrayList<>();
        Map<Integer, Integer> column = new LinkedHashMap<>();
        Map<String, double[]> perLayer = new LinkedHashMap<>();
        for (FineTuningSeries.Point p : points) {
            column.computeIfAbsent(p.model(), k -> {
                x.add(String.format(Locale.ROOT, "%s (a=%.2f)", shortName(models.get(k)).replace(".safetensors", ""),
                        p.alpha()));
                return x.size() - 1;
            });
        }
        int n = x.size();
        Map<Integer, List<double[]>> byColumn = new LinkedHashMap<>();
        for (FineTuningSeries.Point p : points) {
            int c = column.get(p.model());
            perLayer.computeIfAbsent(p.tensor().replace(".weight", "") + " vs DNI", k -> new double[n])[c] =
                    p.medianVsInterpolated();
            byColumn.computeIfAbsent(c, k -> new ArrayList<>()).add(new double[] {p.medianVsFirst(),
                p.medianVsLast()});
        }
        List<org.dnispark.image.LineChart.Series> lines = new ArrayList<>();
        perLayer.forEach((k, v) -> lines.add(new org.dnispark.image.LineChart.Series(k, v)));
        double[] vsFirst = new double[n];
        double[] vsLast = new double[n];
        for (int c = 0; c < n; c++) {
            List<double[]> l = byColumn.get(c);
            vsFirst[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[0]).toArray());
            vsLast[c] = FilterCorrelation.median(l.stream().mapToDouble(v -> v[1]).toArray());
        }
        lines.add(new org.dnispark.image.LineChart.Series("all layers vs " + shortName(models.get(0))
                .replace(".safetensors", ""), vsFirst));
        lines.add(new org.dnispark.image.LineChart.Series("all layers vs " + shortName(models.get(models.size() - 1))
                .replace(".safetensors", ""), vsLast));
        double lo = 1;
        for (org.dnispark.image.LineChart.Series l : lines) {
            for (double v : l.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                }
            }
        }
        lo = Math.max(-1, Math.floor(Math.min(lo, 0.9) * 10) / 10);
        return org.dnispark.image.LineChart.draw("Filter correlation (Eq. 3): fine-tuned models vs DNI", "median",
                x, lines, lo, 1.0);
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

    private static String shortName(String reference) {
        String s = reference.substring(reference.lastIndexOf('/') + 1);
        return s.length() > 22 ? s.substring(0, 22) : s;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static void write(Configuration conf, String uri, String text, List<String> written) {
        Storage.writeAtomically(uri, text.getBytes(StandardCharsets.UTF_8), conf);
        if (written != null) {
            written.add(uri);
        }
    }
}
