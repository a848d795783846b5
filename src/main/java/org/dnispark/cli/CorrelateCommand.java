package org.dnispark.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.CorrelateSettings;
import org.dnispark.config.ReportSettings;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.FineTuningSeries;
import org.dnispark.core.ModelWeights;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.report.Report;
import org.dnispark.results.CorrelationResults;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni correlate}: the filter correlation index (paper Eq. 3) between consecutive models of
 * {@code dni.models} (and between the first and the last when there are more than two), per layer (median,
 * quartiles, minimum) and overall, with the paper's reading of it: 0.689 to 1 for pairs that interpolated well,
 * under 0.1 for pairs that did not. With {@code dni.correlate.series-alphas}, the Fig. 3/4 analysis of a fine-tuning
 * series. With {@code dni.correlate.output}, a report folder published whole ({@link CorrelationReport}) with its
 * {@code manifest.json} and {@code report.html}. No Spark.
 */
final class CorrelateCommand {
    /** Per-layer median correlations at or above this interpolated well in the paper. */
    static final double GOOD = 0.689;
    /** Below this the paper's pairs did not interpolate. */
    static final double POOR = 0.1;
    private static final ObjectMapper JSON = new ObjectMapper();

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
        CorrelateSettings s = CorrelateSettings.from(c);
        ReportSettings page = ReportSettings.from(c);
        Configuration conf = Storage.configuration(s.common().hadoop());
        RunOutput.Policy policy = s.common().ifExists();
        String output = s.output();
        if (!output.isEmpty() && policy == RunOutput.Policy.REFUSE && Storage.exists(output, conf)) {
            throw new IllegalStateException("output " + output + " already holds a report; choose another "
                    + "dni.correlate.output or set dni.output.if-exists = overwrite");
        }
        ModelSet models = ModelSet.load(s.common().models(), new ModelStore(s.common().modelCache(), conf, s.common().modelPolicy()));
        RunIdentity identity = RunIdentity.builder("correlate").settings(s).models(models.digests()).build();
        // the lifecycle every command shares (CommandRun): inputs guarded and the previous run checked before any work
        CommandRun run = new CommandRun("correlate", "dni.correlate.output", output, policy, conf);
        RunOutput out = output.isEmpty() ? null : new RunOutput(output, policy == RunOutput.Policy.REFUSE
                ? RunOutput.Policy.REFUSE : RunOutput.Policy.OVERWRITE, conf);
        if (out != null) {
            // the report replaces the output folder: models, the model cache or alignment images inside it would go
            Map<String, List<String>> inputs = new LinkedHashMap<>();
            inputs.put("model", models.files());
            inputs.put("model cache", List.of(s.common().modelCache()));
            if (s.common().align().enabled() && !s.common().align().images().isEmpty()) {
                inputs.put("alignment images", List.of(s.common().align().images()));
            }
            Map<String, Object> previous = run.begin(identity, List.of(output), output + "/manifest.json",
                    List.of(output), inputs);
            if (previous != null) {
                return previous;
            }
        }
        Analysis analysis = analyse(s, models);
        CorrelationResults report = results(analysis, s.common().models());
        if (s.common().align().enabled()) {
            // Eq. 3 compares filters of the same index, so it is measured again once every model is lined up with the
            // first: how much of the difference was only the order of the channels
            ModelSet aligned = org.dnispark.jobs.Alignments.apply(s.common().align(), models, null,
                    org.dnispark.jobs.Alignments.IMAGE_EXTENSIONS, conf);
            report = report.withAlignment(aligned.alignment(), results(analyse(s, aligned), s.common().models())
                    .pairs());
        }
        if (out != null) {
            out.openStaging(identity.fingerprint().substring(0, 16) + "-" + Long.toHexString(System.nanoTime()));
            try {
                report = report.withFiles(new CorrelationReport(s, models, analysis).write(out, report));
                Storage.writeAtomically(out.file("correlation.json"), JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(report.toJson()), conf);
                RunManifest manifest = run.manifest().models(models.describe())
                        .summary(report.headline()).timings(Map.of("total_ms", run.elapsedMs()))
                        .config(JSON.readTree(s.common().renderedConfig())).build();
                Storage.writeAtomically(out.file("manifest.json"), manifest.toJson(), conf);
                if (page.html()) {
                    Report.writeForRun(out.stagingUri(), output, page, conf);
                }
                out.commit();
            } catch (RuntimeException | IOException e) {
                out.abort();
                throw e;
            }
        }
        return report.toMap();
    }

    /** One pair of models (indices into dni.models) and its per-layer correlations. */
    record Pair(int a, int b, List<FilterCorrelation.LayerSummary> layers) {
        double overall() {
            return FilterCorrelation.medianOfLayerMedians(layers);
        }
    }

    /** Every pair compared, and the series analysis (empty without series alphas). */
    record Analysis(List<Pair> pairs, List<FineTuningSeries.Point> series) {
    }

    /** Consecutive pairs, and first to last when there are more than two models. */
    static Analysis analyse(CorrelateSettings s, ModelSet set) {
        List<ModelWeights> weights = set.weights();
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < weights.size(); i++) {
            pairs.add(new Pair(i, i + 1, FilterCorrelation.compare(weights.get(i), weights.get(i + 1))));
        }
        if (weights.size() > 2) {
            pairs.add(new Pair(0, weights.size() - 1, FilterCorrelation.compare(weights.get(0),
                    weights.get(weights.size() - 1))));
        }
        List<FineTuningSeries.Point> series = s.seriesAlphas().isEmpty() ? List.of()
                : FineTuningSeries.analyse(weights, s.seriesAlphaArray());
        return new Analysis(pairs, series);
    }

    /** The analysis as its results type (correlation.json, and the command's printed result). */
    static CorrelationResults results(Analysis analysis, List<String> models) {
        List<CorrelationResults.PairResult> pairs = new ArrayList<>();
        for (Pair p : analysis.pairs()) {
            List<CorrelationResults.LayerResult> layers = new ArrayList<>();
            for (FilterCorrelation.LayerSummary l : p.layers()) {
                FilterCorrelation.Distribution d = l.distribution();
                layers.add(new CorrelationResults.LayerResult(l.tensor(), l.filters(), d.min(), d.q1(), l.median(),
                        d.q3(), d.max(), d.mean(), l.undefined()));
            }
            pairs.add(new CorrelationResults.PairResult(models.get(p.a()), models.get(p.b()), p.overall(),
                    p.layers().stream().mapToDouble(FilterCorrelation.LayerSummary::median).min().orElse(Double.NaN),
                    verdict(p.overall()), layers));
        }
        List<CorrelationResults.SeriesPoint> series = new ArrayList<>();
        for (FineTuningSeries.Point p : analysis.series()) {
            series.add(new CorrelationResults.SeriesPoint(models.get(p.model()), p.alpha(), p.tensor(),
                    p.medianVsInterpolated(), p.medianVsFirst(), p.medianVsLast(), p.relativeDistanceToInterpolated()));
        }
        return new CorrelationResults(pairs, series, null, null, null);
    }
}
