package org.dnispark.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
     * {@link Line#key}. {@code work} is a scratch folder inside the run's staging folder.
     */
    static void sortedCsv(JavaRDD<Row> rows, String header, Line format, String target, String work) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.context());
        JavaPairRDD<String, String> lines = rows.mapToPair(r -> new Tuple2<>(format.key(r), format.line(r)));
        // the header's key is the empty string, which sorts before any row's
        JavaPairRDD<String, String> all = jsc.parallelizePairs(List.of(new Tuple2<>("", header)), 1).union(lines);
        String dir = work + "/" + new Path(target).getName() + ".d";
        all.sortByKey(true, 1).values().saveAsTextFile(dir);
        moveSinglePart(dir, target, jsc.hadoopConfiguration());
    }

    /** Renames the one part file Spark wrote into {@code dir} to {@code target}, then deletes {@code dir}. */
    static void moveSinglePart(String dir, String target, Configuration conf) {
        Path d = new Path(dir);
        FileSystem fs = Storage.fs(d, conf);
        try {
            List<Path> parts = new ArrayList<>();
            for (FileStatus st : fs.listStatus(d)) {
                if (st.getPath().getName().startsWith("part-")) {
                    parts.add(st.getPath());
                }
            }
            if (parts.size() != 1) {
                throw new IOException(dir + " holds " + parts.size() + " part files; expected one");
            }
            Path t = new Path(target);
            if (fs.exists(t)) {
                fs.delete(t, false);
            }
            if (!fs.rename(parts.get(0), t)) {
                throw new IOException("rename of " + parts.get(0) + " to " + target + " failed");
            }
            fs.delete(d, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
