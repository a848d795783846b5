package org.dnispark.jobs;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.storage.RunOutput;

/** What every job writes besides its own reports: {@code rejected.csv} and {@code manifest.json}. */
final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Reports() {
    }

    /** {@code rejected.csv}: image, URI and reason of every input that could not be used, sorted by image. */
    static void rejections(SparkSession spark, ImageJob.Results results, RunOutput out) {
        ResultFiles.sortedCsv(results.rejections(), "image,uri,reason", new ResultFiles.Line() {
            @Override
            public String key(Row r) {
                return Outcomes.image(r) + '\u0000' + Outcomes.uri(r);
            }

            @Override
            public String line(Row r) {
                return Csv.line(Outcomes.image(r), Outcomes.uri(r), Outcomes.reason(r));
            }
        }, out.file("rejected.csv"));
    }

    /** The first rejections (at most 20), for a message. */
    static String describe(ImageJob.Results results) {
        StringBuilder sb = new StringBuilder();
        for (Row r : results.rejections().takeOrdered(20, new ByImage())) {
            sb.append("\n  - ").append(Outcomes.uri(r)).append(": ").append(Outcomes.reason(r));
        }
        if (results.rejected() > 20) {
            sb.append("\n  ... and ").append(results.rejected() - 20).append(" more");
        }
        return sb.toString();
    }

    /** Rows by image name, then URI. */
    static final class ByImage implements java.util.Comparator<Row>, java.io.Serializable {
        @Override
        public int compare(Row a, Row b) {
            int c = Outcomes.image(a).compareTo(Outcomes.image(b));
            return c != 0 ? c : Outcomes.uri(a).compareTo(Outcomes.uri(b));
        }
    }

    static RunManifest manifest(SparkSession spark, RunPlan plan, RunIdentity identity, RunOutput out, String runId,
            Instant started, ImageJob.Results results, ImageJob.Inference inference, int partitions,
            Map<String, Object> summary, Map<String, Object> timings) throws IOException {
        RunManifest.Builder b = RunManifest.builder(plan.settings().command(), identity).runId(runId)
                .output(plan.settings().output(), out.policy().name().toLowerCase(Locale.ROOT)).started(started)
                .models(plan.models().describe());
        plan.details(inference.coefficients()).forEach(b::detail);
        Map<String, Object> images = new LinkedHashMap<>();
        images.put("accepted", results.images());
        images.put("rejected", results.rejected());
        images.put("resumed_from_checkpoint", results.resumed());
        b.detail("images", images);
        b.detail("broadcast", inference.broadcast());
        if (inference.renormalisation() != null) {
            b.detail("renormalisation", inference.renormalisation());
        }
        inference.details().forEach(b::detail);
        Map<String, Object> sparkInfo = new LinkedHashMap<>();
        sparkInfo.put("master", spark.sparkContext().master());
        sparkInfo.put("partitions", partitions);
        sparkInfo.put("default_parallelism", spark.sparkContext().defaultParallelism());
        b.detail("spark", sparkInfo);
        b.detail("metrics", RunMetrics.snapshot()); // what DniMetricsPlugin published, at the end of the run
        Map<String, String> platform = new LinkedHashMap<>();
        platform.put("spark", spark.version());
        platform.put("scala", scala.util.Properties.versionNumberString());
        return b.platform(platform).summary(summary).timings(timings)
                .config(JSON.readTree(plan.settings().common().renderedConfig())).build();
    }
}
