package org.dnispark.cli;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.dnispark.config.CorrelateSettings;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.FineTuningSeries;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.image.FilterGrid;
import org.dnispark.image.ImageCodec;
import org.dnispark.models.ModelSet;
import org.dnispark.report.Charts;
import org.dnispark.report.CorrelationCharts;
import org.dnispark.results.CorrelationResults;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The report files of {@code correlate}: {@code layers.csv} (per-layer distribution), {@code filters.csv} (every
 * filter's index, as Eq. 3 defines it per filter), {@code series.csv} and {@code series.png} (the Fig. 3/4 series
 * analysis, charted by {@link CorrelationCharts}) and the first-layer filter grid {@code first-layer-filters.png}.
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
    List<String> write(RunOutput out, CorrelationResults report) {
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
            image(out, "series.png", Charts.image(CorrelationCharts.series(report), 900, 440), written);
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

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
