package org.dnispark.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What writing a run's outcome rows costs, side by side in one JVM on local[2]: {@link Outcomes#write} (each task
 * writes its part and renames it into place) against Hadoop's output committer as the inference wrote them before
 * issue 29's second stop ({@code saveAsTextFile} of the same JSON lines), on 4 partitions of a 108-inference sweep's
 * rows, alternating, ROUNDS times (the first of each is the JVM's first use). Prints milliseconds per write.
 * Usage: {@code OutcomeWriteCost [ROUNDS]} with the test class path.
 */
public final class OutcomeWriteCost {
    private OutcomeWriteCost() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        StructType schema = Outcomes.schema(new StructType().add("psnr_rgb", DataTypes.DoubleType)
                .add("psnr_y", DataTypes.DoubleType).add("ssim_rgb", DataTypes.DoubleType)
                .add("ssim_y", DataTypes.DoubleType).add("noise", DataTypes.DoubleType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 108; i++) {
            rows.add(Outcomes.accepted(schema, String.format("img%05d", i / 9), "file:/in/img" + i / 9 + ".png", i % 9,
                    30.0 + i / 7.0, 31.0 + i / 9.0, 0.9 - i / 1e3, 0.91 - i / 1e3, 2.5));
        }
        Path tmp = Files.createTempDirectory("dni-outcome-write");
        SparkSession spark = org.dnispark.TestSpark.local("dni-outcome-write");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Map<String, String> hadoop = ImageJob.hadoop(jsc.hadoopConfiguration());
            JavaRDD<Row> rdd = jsc.parallelize(rows, 4).cache();
            rdd.count();
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                Outcomes.write(rdd, tmp.resolve("parts-" + r).toUri().toString(), hadoop);
                long t1 = System.nanoTime();
                rdd.map(row -> Outcomes.encode(row).toString()).saveAsTextFile(tmp.resolve("committed-" + r).toUri()
                        .toString());
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "round %d: Outcomes.write %.1f ms, saveAsTextFile %.1f ms%n", r + 1,
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        } finally {
            spark.stop();
            org.apache.commons.io.FileUtils.deleteQuietly(tmp.toFile());
        }
    }
}
