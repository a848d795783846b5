package org.dnispark.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import org.dnispark.provenance.RunIdentity;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The resume protocol: a complete output of the same configuration is left alone, one of another configuration is
 * never mixed in, and a failed run's finished images (its checkpoint parts) are not computed again.
 */
final class Resume {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Resume() {
    }

    /** The images an earlier attempt finished, as result rows, and how many images they are. */
    record Done(Dataset<Row> rows, long images) {
        /** The tasks still to do. */
        org.apache.spark.api.java.JavaRDD<ImageTask> remaining(org.apache.spark.api.java.JavaRDD<ImageTask> tasks) {
            if (images == 0) {
                return tasks;
            }
            var done = rows.select(col(Outcomes.IMAGE)).javaRDD()
                    .mapToPair(r -> new scala.Tuple2<>(r.<String>getAs(Outcomes.IMAGE), true));
            return tasks.mapToPair(t -> new scala.Tuple2<>(t.name(), t)).subtractByKey(done).values();
        }
    }

    /**
     * Under the resume policy, the published run when it is this configuration's and complete (its summary marked
     * {@code already_complete}); an error when it is another configuration's; null when there is work to do.
     */
    static ImageJob.JobResult previous(RunOutput out, RunIdentity identity, Configuration conf) throws IOException {
        if (out.policy() != RunOutput.Policy.RESUME || !out.targetExists()) {
            return null;
        }
        String fingerprint = identity.fingerprint();
        JsonNode manifest = JSON.readTree(Storage.readAll(out.targetFile("manifest.json"), conf));
        if (fingerprint.equals(manifest.path("fingerprint").asText())
                && Storage.exists(out.targetFile(RunOutput.SUCCESS), conf)) {
            Map<String, Object> summary = JSON.convertValue(manifest.get("summary"),
                    new TypeReference<Map<String, Object>>() { });
            summary.put("already_complete", true);
            return new ImageJob.JobResult(out.targetUri(), manifest.path("images").path("accepted").asLong(),
                    manifest.path("images").path("rejected").asLong(), summary);
        }
        throw new IllegalStateException("output " + out.targetUri() + " holds a run of another configuration "
                + "(fingerprint " + manifest.path("fingerprint").asText("none") + ", this run " + fingerprint
                + "); resuming would mix two runs. Choose another output folder or dni.output.if-exists = overwrite");
    }

    /** The valid parts of an earlier attempt in the staging folder (none unless it was reopened). */
    static Done done(SparkSession spark, RunOutput out, RunIdentity identity, StructType schema, String work) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Storage.delete(work, conf); // what a failed attempt left of its scratch files
        if (!out.resumed()) {
            return new Done(spark.createDataFrame(java.util.List.of(), schema), 0);
        }
        LongAccumulator invalid = spark.sparkContext().longAccumulator("dni invalid checkpoint parts");
        Checkpoint.read(spark, out.stagingUri(), identity.fingerprint(), schema, invalid).write()
                .parquet(work + "/resumed");
        Dataset<Row> rows = spark.read().schema(schema).parquet(work + "/resumed");
        long images = rows.select(col(Outcomes.IMAGE)).distinct().count();
        if (invalid.value() > 0) {
            System.err.println("dni: ignored " + invalid.value() + " checkpoint parts in " + out.stagingUri()
                    + " that belong to another run or fail their checksum; their images are computed again");
        }
        return new Done(rows, images);
    }

    /**
     * Every result row: this attempt's (when it ran any task) and the resumed ones, cached for the reports, with their
     * counts.
     */
    static ImageJob.Results results(org.apache.spark.api.java.JavaRDD<Row> inferred, Done done) {
        org.apache.spark.api.java.JavaRDD<Row> rows = inferred == null ? done.rows().javaRDD()
                : done.images() > 0 ? inferred.union(done.rows().javaRDD()) : inferred;
        org.apache.spark.api.java.JavaRDD<Row> cached = rows
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        // images with results (each has a row at coefficient 0), rejections, result rows
        long[] counts = cached.map(r -> Outcomes.isRejection(r) ? new long[] {0, 1, 0}
                : new long[] {Outcomes.index(r) == 0 ? 1 : 0, 0, 1})
                .fold(new long[] {0, 0, 0}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        return new ImageJob.Results(cached, counts[0], counts[1], counts[2], done.images());
    }
}
