package org.dnispark.jobs;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows tasks return (the accessors below are the one place that knows their positions: rows made in tasks
 * carry no schema), one per image and coefficient, or one per rejected image: {@code image}, {@code uri},
 * {@code index} (the coefficient; -1 for a rejection), {@code reason} (null unless rejected), then the job's own
 * columns (null for a rejection).
 */
final class Outcomes {
    static final String IMAGE = "image";
    static final String URI = "uri";
    static final String INDEX = "index";
    static final String REASON = "reason";

    private Outcomes() {
    }

    static StructType schema(StructType jobColumns) {
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
        v[0] = image;
        v[1] = uri;
        v[2] = -1;
        v[3] = reason == null || reason.isBlank() ? "rejected without a reason" : reason;
        return RowFactory.create(v);
    }

    static Row accepted(String image, String uri, int index, Object... jobValues) {
        Object[] v = new Object[4 + jobValues.length];
        v[0] = image;
        v[1] = uri;
        v[2] = index;
        v[3] = null;
        System.arraycopy(jobValues, 0, v, 4, jobValues.length);
        return RowFactory.create(v);
    }

    /** The same row at another coefficient index (the search renumbers its points in alpha order). */
    static Row withIndex(Row r, int index) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        v[2] = index;
        return r.schema() == null ? RowFactory.create(v)
                : new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(v, r.schema());
    }

    static String image(Row r) {
        return r.getString(0);
    }

    static int index(Row r) {
        return r.getInt(2);
    }

    static boolean isRejection(Row r) {
        return !r.isNullAt(3);
    }

    static String uri(Row r) {
        return r.getString(1);
    }

    /** Why the image was rejected (null for a result row). */
    static String reason(Row r) {
        return r.isNullAt(3) ? null : r.getString(3);
    }
}
