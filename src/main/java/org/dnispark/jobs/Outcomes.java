package org.dnispark.jobs;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows tasks return, one per image and coefficient, or one per rejected image: {@code image}, {@code uri},
 * {@code index} (the coefficient; -1 for a rejection), {@code reason} (null unless rejected), then the job's own
 * columns (null for a rejection). Every row carries its schema (made here, read back from Parquet, or decoded from a
 * checkpoint against it), and is read by column name.
 */
final class Outcomes {
    static final String IMAGE = "image";
    static final String URI = "uri";
    static final String INDEX = "index";
    static final String REASON = "reason";
    /** The columns before the job's own. */
    private static final int LEADING = 4;
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
}
