package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outcome rows' way from the executors to the reports: every value exact, every row back, in any text. */
@Tag("spark")
class OutcomesTest {
    private static final StructType SCHEMA = Outcomes.schema(new StructType().add("psnr_rgb", DataTypes.DoubleType)
            .add("frames", DataTypes.IntegerType).add("note", DataTypes.StringType));

    private static List<Row> rows() {
        return List.of(
                Outcomes.accepted(SCHEMA, "a.png", "file:/in/a.png", 0, 31.25, 3, "plain"),
                // values a decimal rendering would round or lose: the last bit, -0, NaN, infinities, subnormals
                Outcomes.accepted(SCHEMA, "b \"quoted\"\nname.png", "s3a://bucket/b.png", 1, Math.nextUp(1.0 / 3), -1,
                        "line\nbreak, \"quotes\", \u00e9\u4e2d"),
                Outcomes.accepted(SCHEMA, "c.png", "file:/in/c.png", 2, -0.0, 0, null),
                Outcomes.accepted(SCHEMA, "d.png", "file:/in/d.png", 3, Double.NaN, 0, ""),
                Outcomes.accepted(SCHEMA, "e.png", "file:/in/e.png", 4, Double.NEGATIVE_INFINITY, 0, null),
                Outcomes.accepted(SCHEMA, "f.png", "file:/in/f.png", 5, Double.MIN_VALUE, Integer.MIN_VALUE, null),
                Outcomes.rejected(SCHEMA, "g.png", "file:/in/g.png", "not an image: 12 bytes"));
    }

    @Test
    void everyRowComesBackWithEveryBit(@TempDir Path tmp) throws Exception {
        SparkSession spark = org.dnispark.TestSpark.local("dni-outcomes");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String folder = tmp.resolve("outcomes").toUri().toString();
            Outcomes.write(jsc.parallelize(rows(), 3), folder, ImageJob.hadoop(jsc.hadoopConfiguration()));
            List<Row> back = new java.util.ArrayList<>(Outcomes.read(jsc, folder, SCHEMA).collect());
            back.sort(Comparator.comparing(Outcomes::image));
            List<Row> sent = rows();
            assertEquals(sent.size(), back.size());
            for (int i = 0; i < sent.size(); i++) {
                Row s = sent.get(i);
                Row b = back.get(i);
                assertEquals(SCHEMA, b.schema());
                for (int c = 0; c < SCHEMA.size(); c++) {
                    Object x = s.get(c);
                    Object y = b.get(c);
                    if (x instanceof Double d) {
                        assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) y),
                                SCHEMA.fields()[c].name() + " of " + Outcomes.image(s));
                    } else {
                        assertEquals(x, y, SCHEMA.fields()[c].name() + " of " + Outcomes.image(s));
                    }
                }
            }
            assertTrue(Outcomes.isRejection(back.get(back.size() - 1)));
            // one part per partition under its final name, no temporary file left beside them
            try (java.util.stream.Stream<Path> parts = Files.list(tmp.resolve("outcomes"))) {
                assertEquals(List.of("part-00000", "part-00001", "part-00002"),
                        parts.map(p -> p.getFileName().toString()).sorted().toList());
            }
            // a run writes a new folder: an existing one is refused, not added to
            IllegalStateException again = assertThrows(IllegalStateException.class, () -> Outcomes.write(
                    jsc.parallelize(rows(), 2), folder, ImageJob.hadoop(jsc.hadoopConfiguration())));
            assertTrue(again.getMessage().contains(folder) && again.getMessage().contains("exists"),
                    again.getMessage());
        } finally {
            spark.stop();
        }
    }

    @Test
    void smallListingsAreSlicedIntoEvenNameRangesOnTheDriver() {
        SparkSession spark = org.dnispark.TestSpark.local("dni-name-ranges");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<ImageTask> listed = new java.util.ArrayList<>();
            for (int i = 0; i < 11; i++) {
                listed.add(new ImageTask(String.format("img%02d", (i * 7) % 11), "file:/in/" + i + ".png", null,
                        null, "1|2"));
            }
            // two files of one name (refused later): ordered by URI, so every run slices them alike
            listed.add(new ImageTask("img03", "file:/in/b/img03.jpg", null, "more than one", "1|2"));
            listed.add(new ImageTask("img03", "file:/in/a/img03.png", null, "more than one", "1|2"));
            List<List<ImageTask>> parts = ImageJob.byNameRanges(jsc, jsc.parallelize(listed, 3), listed.size(), 4)
                    .glom().collect();
            assertEquals(4, parts.size());
            List<String> order = new java.util.ArrayList<>();
            for (List<ImageTask> part : parts) {
                assertTrue(part.size() == 3 || part.size() == 4, "even slices: " + part.size());
                part.forEach(t -> order.add(t.name() + " " + t.input()));
            }
            List<String> sorted = new java.util.ArrayList<>(order);
            sorted.sort(null);
            assertEquals(sorted, order);
            assertTrue(order.indexOf("img03 file:/in/a/img03.png") < order.indexOf("img03 file:/in/b/img03.jpg"));
        } finally {
            spark.stop();
        }
    }

    @Test
    void aForeignLineIsNamedNotGuessed(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("outcomes"));
        Files.writeString(folder.resolve("part-00000"), "[\"a.png\",\"file:/a.png\",0]\n");
        SparkSession spark = org.dnispark.TestSpark.local("dni-outcomes-foreign");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Exception e = assertThrows(Exception.class,
                    () -> Outcomes.read(jsc, folder.toUri().toString(), SCHEMA).collect());
            String message = String.valueOf(e.getMessage());
            Throwable t = e;
            while (t.getCause() != null && !message.contains("outcome row")) {
                t = t.getCause();
                message = String.valueOf(t.getMessage());
            }
            assertTrue(message.contains("an outcome row in") && message.contains("a row of 3 values; expected 7"),
                    message);
        } finally {
            spark.stop();
        }
    }
}
