package org.dnispark.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import org.dnispark.storage.Storage;

/**
 * The rows tasks return, one per image and coefficient, or one per rejected image: {@code image}, {@code uri},
 * {@code index} (the coefficient; -1 for a rejection), {@code reason} (null unless rejected), then the job's own
 * columns (null for a rejection). Every row carries its schema (made here, decoded from the scratch lines or a
 * checkpoint against it, or read back from a resumed run's Parquet), and is read by column name.
 *
 * <p>The inference's rows leave the executors as JSON lines ({@link #write}), one file per task in the run's scratch
 * folder, and come back with {@link #read}: an RDD action and a text file, not Spark SQL's Parquet writer, whose query
 * planning on the driver and generated row converters on each executor took 1.8-2.6 s of a 108-inference SPAN
 * sweep's 6.9-7.8 s inference phase (issue 29). The same encoding holds a resumable run's checkpoint parts.
 */
final class Outcomes {
    static final String IMAGE = "image";
    static final String URI = "uri";
    static final String INDEX = "index";
    static final String REASON = "reason";
    /** The columns before the job's own. */
    private static final int LEADING = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.concurrent.ConcurrentMap<StructType, StructType> SCHEMAS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private Outcomes() {
    }

    /**
     * The outcome schema for a job's columns: one instance per distinct schema in a JVM, shared by every row made
     * against it (a row carries its schema, and a schema builds its name index once).
     */
    static StructType schema(StructType jobColumns) {
        return SCHEMAS.computeIfAbsent(jobColumns, Outcomes::build);
    }

    private static StructType build(StructType jobColumns) {
        StructType s = new StructType()
                .add(IMAGE, DataTypes.StringType, false)
                .add(URI, DataTypes.StringType, false)
                .add(INDEX, DataTypes.IntegerType, false)
                .add(REASON, DataTypes.StringType, true);
        for (StructField f : jobColumns.fields()) {
            s = s.add(f.name(), f.dataType(), true);
        }
        return s;
    }

    static Row rejected(StructType schema, String image, String uri, String reason) {
        Object[] v = new Object[schema.size()];
        v[schema.fieldIndex(IMAGE)] = image;
        v[schema.fieldIndex(URI)] = uri;
        v[schema.fieldIndex(INDEX)] = -1;
        v[schema.fieldIndex(REASON)] = reason == null || reason.isBlank() ? "rejected without a reason" : reason;
        return new GenericRowWithSchema(v, schema);
    }

    /** A result row: the image at coefficient {@code index}, with the job's values in its columns' order. */
    static Row accepted(StructType schema, String image, String uri, int index, Object... jobValues) {
        if (jobValues.length != schema.size() - LEADING) {
            throw new IllegalArgumentException(jobValues.length + " values for the job's " + (schema.size() - LEADING)
                    + " columns");
        }
        Object[] v = new Object[schema.size()];
        v[schema.fieldIndex(IMAGE)] = image;
        v[schema.fieldIndex(URI)] = uri;
        v[schema.fieldIndex(INDEX)] = index;
        System.arraycopy(jobValues, 0, v, LEADING, jobValues.length);
        return new GenericRowWithSchema(v, schema);
    }

    /** The same row at another coefficient index (the search renumbers its points in alpha order). */
    static Row withIndex(Row r, int index) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        v[r.fieldIndex(INDEX)] = index;
        return new GenericRowWithSchema(v, r.schema());
    }

    static String image(Row r) {
        return r.getAs(IMAGE);
    }

    static int index(Row r) {
        return r.<Integer>getAs(INDEX);
    }

    static boolean isRejection(Row r) {
        return r.getAs(REASON) != null;
    }

    static String uri(Row r) {
        return r.getAs(URI);
    }

    /** Why the image was rejected (null for a result row). */
    static String reason(Row r) {
        return r.getAs(REASON);
    }

    /**
     * Writes every row to {@code folder} (which must not exist), one JSON line per row and one file per partition
     * ({@code part-00000}, ...). Each part is streamed under a hidden temporary name and renamed into place
     * ({@link Storage#writeAtomically}): a reader never sees half a part, and a retried or speculative attempt of a
     * task replaces its part whole with the same rows. Not Hadoop's output committer, whose job set-up, the JobConf it
     * ships in every task and its task commits a sweep's search pays at every point ({@code OutcomeWriteCost} in the
     * tests, side by side on local[2]: 97-177 against 133-157 ms a write after the first round). With small listings
     * ordered on the driver ({@link ImageJob#byNameRanges}), a 108-inference sweep's inference phase spent about 180 ms
     * before, 65-85 ms after, outside its inference stage (issue 29; docs/USER-GUIDE.md has the commands).
     * {@code hadoop} is the storage configuration ({@link ExecutorPlan}'s, shared with the tasks).
     */
    static void write(JavaRDD<Row> rows, String folder, Map<String, String> hadoop) {
        Path target = new Path(folder);
        FileSystem fs = Storage.fs(target, Storage.configuration(hadoop));
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException("the outcome folder " + folder + " exists; each run writes a new one");
            }
            if (!fs.mkdirs(target)) {
                throw new IOException("mkdirs returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the outcome folder " + folder + ": " + e.getMessage(), e);
        }
        rows.foreachPartition(partition -> {
            String part = String.format(Locale.ROOT, "%s/part-%05d", folder, TaskContext.getPartitionId());
            Storage.writeAtomically(part, out -> {
                Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                while (partition.hasNext()) {
                    w.write(JSON.writeValueAsString(encode(partition.next())));
                    w.write('\n');
                }
                w.flush();
            }, Storage.configuration(hadoop));
        });
    }

    /** The rows {@link #write} wrote to {@code folder}, each carrying {@code schema}. */
    static JavaRDD<Row> read(JavaSparkContext jsc, String folder, StructType schema) {
        return jsc.textFile(folder).map(line -> {
            try {
                return decode(JSON.readTree(line), schema);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("an outcome row in " + folder + " is not one this run wrote ("
                        + e.getMessage() + "): " + (line.length() > 200 ? line.substring(0, 200) + "..." : line), e);
            }
        });
    }

    /** A row as a JSON array: strings and integers as they are, doubles as their raw bits (infinities included). */
    static ArrayNode encode(Row r) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < r.length(); i++) {
            Object v = r.get(i);
            if (v == null) {
                a.addNull();
            } else if (v instanceof Double) {
                a.add(Double.doubleToRawLongBits((Double) v));
            } else if (v instanceof Integer) {
                a.add((Integer) v);
            } else {
                a.add(v.toString());
            }
        }
        return a;
    }

    /** The row {@link #encode} made, against {@code schema} (which says how each value is read). */
    static Row decode(JsonNode a, StructType schema) {
        if (!a.isArray() || a.size() != schema.size()) {
            throw new IllegalArgumentException("a row of " + a.size() + " values; expected " + schema.size());
        }
        Object[] v = new Object[schema.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = a.get(i);
            DataType t = schema.fields()[i].dataType();
            if (n.isNull()) {
                v[i] = null;
            } else if (t.equals(DataTypes.DoubleType)) {
                v[i] = Double.longBitsToDouble(n.longValue());
            } else if (t.equals(DataTypes.IntegerType)) {
                v[i] = n.intValue();
            } else {
                v[i] = n.asText();
            }
        }
        return new GenericRowWithSchema(v, schema);
    }
}
