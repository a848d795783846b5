package org.dnispark.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.report.Report;
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
        Instant started = Instant.now();
        long t0 = System.nanoTime();
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
        if (!output.isEmpty()) {
            Map<String, Object> previous = PreviousRun.check(output + "/manifest.json", List.of(output), policy,
                    identity.fingerprint(), "dni.correlate.output", conf);
            if (previous != null) {
                return previous;
            }
        }
        Analysis analysis = analyse(s, models);
        Map<String, Object> report = toMap(analysis, s.common().models());
        if (s.common().align().enabled()) {
            // Eq. 3 compares filters of the same index, so it is measured again once every model is lined up with the
            // first: how much of the difference was only the order of the channels
            ModelSet aligned = org.dnispark.jobs.Alignments.apply(s.common().align(), models, null,
                    org.dnispark.jobs.Alignments.IMAGE_EXTENSIONS, conf);
            report.put("alignment", aligned.alignment());
            report.put("after_alignment", toMap(analyse(s, aligned), s.common().models()).get("pairs"));
        }
        if (!output.isEmpty()) {
            RunOutput out = new RunOutput(output, policy == RunOutput.Policy.REFUSE ? RunOutput.Policy.REFUSE
                    : RunOutput.Policy.OVERWRITE, conf);
            out.openStaging(identity.fingerprint().substring(0, 16) + "-" + Long.toHexString(System.nanoTime()));
            try {
                List<String> written = new CorrelationReport(s, models, analysis).write(out, JSON.valueToTree(report));
                report.put("files", written);
                Storage.writeAtomically(out.file("correlation.json"), JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(report), conf);
                Map<String, Object> timings = new LinkedHashMap<>();
                timings.put("total_ms", (System.nanoTime() - t0) / 1_000_000);
                RunManifest manifest = RunManifest.builder("correlate", identity)
                        .runId(identity.fingerprint().substring(0, 16))
                        .output(output, policy.name().toLowerCase(Locale.ROOT)).started(started)
                        .models(models.describe()).summary(headline(report)).timings(timings)
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
        return report;
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

    /** The analysis as the JSON report (and the command's printed result). */
    static Map<String, Object> toMap(Analysis analysis, List<String> models) {
        List<Object> pairs = new ArrayList<>();
        for (Pair p : analysis.pairs()) {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("a", models.get(p.a()));
            pair.put("b", models.get(p.b()));
            pair.put("median_of_layer_medians", p.overall());
            pair.put("lowest_layer_median", p.layers().stream().mapToDouble(FilterCorrelation.LayerSummary::median)
                    .min().orElse(Double.NaN));
            pair.put("verdict", verdict(p.overall()));
            List<Object> perLayer = new ArrayList<>();
            for (FilterCorrelation.LayerSummary l : p.layers()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("tensor", l.tensor());
                e.put("filters", l.filters());
                e.put("min", l.distribution().min());
                e.put("q1", l.distribution().q1());
                e.put("median", l.median());
                e.put("q3", l.distribution().q3());
                e.put("max", l.distribution().max());
                e.put("mean", l.distribution().mean());
                e.put("undefined", l.undefined());
                perLayer.add(e);
            }
            pair.put("layers", perLayer);
            pairs.add(pair);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pairs", pairs);
        if (!analysis.series().isEmpty()) {
            List<Object> series = new ArrayList<>();
            for (FineTuningSeries.Point p : analysis.series()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("model", models.get(p.model()));
                e.put("alpha", p.alpha());
                e.put("tensor", p.tensor());
                e.put("median_vs_interpolated", p.medianVsInterpolated());
                e.put("median_vs_first", p.medianVsFirst());
                e.put("median_vs_last", p.medianVsLast());
                e.put("relative_distance_to_interpolated", p.relativeDistanceToInterpolated());
                series.add(e);
            }
            report.put("series", series);
        }
        return report;
    }

    /** The report without per-layer detail, for the manifest. */
    private static Map<String, Object> headline(Map<String, Object> report) {
        List<Object> pairs = new ArrayList<>();
        for (Object p : (List<?>) report.get("pairs")) {
            Map<String, Object> m = new LinkedHashMap<>(castMap(p));
            m.remove("layers");
            pairs.add(m);
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("pairs", pairs);
        if (report.containsKey("after_alignment")) {
            List<Object> after = new ArrayList<>();
            for (Object p : (List<?>) report.get("after_alignment")) {
                Map<String, Object> m = new LinkedHashMap<>(castMap(p));
                m.remove("layers");
                after.add(m);
            }
            h.put("after_alignment", after);
        }
        return h;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
