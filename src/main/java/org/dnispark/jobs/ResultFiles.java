package org.dnispark.jobs;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import org.dnispark.storage.Storage;

/**
 * Result files written by the executors: one sorted CSV file per table, written by a single task that sorts with
 * Spark's external sorter (it spills to disk), so that the driver never holds a per-image row and a reader gets one
 * file in a stable order (Java string order of the key, as the driver-side reports had).
 */
final class ResultFiles {
    private ResultFiles() {
    }

    /** A row's sort key and CSV line, computed in the executors. */
    interface Line extends Serializable {
        /** The sort key: lines are ordered by it (never empty). */
        String key(Row r);

        String line(Row r);
    }

    /** A sort key of a name and a number: by name, then by number (up to 10 digits). */
    static String key(String name, int number) {
        return name + '\u0000' + String.format("%010d", number);
    }

    /**
     * Writes {@code rows} to {@code target} as one CSV file: {@code header} first, then one line per row, ordered by
     * {@link Line#key}. The one sorting task streams its lines straight to a temporary name beside the target and
     * renames it into place: no Hadoop committer, so no {@code _temporary} folders (which some object stores keep
     * as empty prefixes) and nothing buffered whole in memory.
     */
    static void sortedCsv(JavaRDD<Row> rows, String header, Line format, String target) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.context());
        JavaPairRDD<String, String> lines = rows.mapToPair(r -> new Tuple2<>(format.key(r), format.line(r)));
        // the header's key is the empty string, which sorts before any row's
        JavaPairRDD<String, String> all = jsc.parallelizePairs(List.of(new Tuple2<>("", header)), 1).union(lines);
        Map<String, String> hadoop = ImageJob.hadoop(jsc.hadoopConfiguration());
        all.sortByKey(true, 1).values().foreachPartition(it -> Storage.writeAtomically(target, out -> {
            while (it.hasNext()) {
                out.write(it.next().getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        }, Storage.configuration(hadoop)));
    }
}
