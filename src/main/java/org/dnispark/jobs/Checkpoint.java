package org.dnispark.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import org.dnispark.provenance.Sha256;
import org.dnispark.storage.Storage;

/**
 * Finished images of a run under the resume policy, one part per image in the staging folder
 * ({@code parts/<image>.json}), so that a rerun of the same configuration skips them. A part is plain JSON (reading it
 * never instantiates a class): the image, the run's fingerprint, its result rows (doubles as their raw bits, so they
 * survive exactly) and a SHA-256 over fingerprint and rows. Parts are read back by Spark; one of another run, or
 * whose checksum does not match, is ignored and its image computed again.
 */
final class Checkpoint {
    static final String DIR = "parts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /** Writes the part of one finished (or rejected) image. */
    static void write(ExecutorPlan plan, Configuration conf, String image, List<Row> rows) {
        ArrayNode encoded = JSON.createArrayNode();
        for (Row r : rows) {
            encoded.add(Outcomes.encode(r));
        }
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("image", image);
        part.put("fingerprint", plan.checkpoint);
        part.put("rows", encoded);
        part.put("sha256", checksum(plan.checkpoint, encoded));
        try {
            Storage.writeAtomically(plan.output(DIR + "/" + fileName(image)), JSON.writeValueAsBytes(part), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A part's file name: the URL-encoded image name, or its digest when that would be too long for a file system. */
    static String fileName(String image) {
        String encoded = URLEncoder.encode(image, StandardCharsets.UTF_8);
        return (encoded.length() <= 200 ? encoded : "sha256-" + Sha256.hex(image.getBytes(StandardCharsets.UTF_8)))
                + ".json";
    }

    private static String checksum(String fingerprint, JsonNode rows) {
        try {
            return Sha256.hex((fingerprint + "\n" + JSON.writeValueAsString(rows)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The rows of every valid part under {@code staging}, read by Spark; {@code invalid} counts the parts ignored.
     * Empty when there are none.
     */
    static Dataset<Row> read(SparkSession spark, String staging, String fingerprint, StructType schema,
            LongAccumulator invalid) {
        String dir = staging + "/" + DIR;
        if (!Storage.exists(dir, spark.sparkContext().hadoopConfiguration())) {
            return spark.createDataFrame(List.of(), schema);
        }
        Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "*.json").load(dir)
                .select("path", "content");
        FlatMapFunction<Row, Row> parse = f -> {
            List<Row> rows = parsePart(f.<String>getAs("path"), f.<byte[]>getAs("content"), fingerprint, schema);
            if (rows == null) {
                invalid.add(1);
                return java.util.Collections.emptyIterator();
            }
            return rows.iterator();
        };
        return spark.createDataFrame(files.javaRDD().flatMap(parse), schema);
    }

    /** The rows of one part, or null when it is not a valid part of this run. */
    static List<Row> parsePart(String uri, byte[] bytes, String fingerprint, StructType schema) {
        try {
            JsonNode part = JSON.readTree(bytes);
            JsonNode rows = part.get("rows");
            if (part.get("image") == null || rows == null || !rows.isArray() || rows.isEmpty()
                    || !fingerprint.equals(part.path("fingerprint").asText())
                    || !checksum(fingerprint, rows).equals(part.path("sha256").asText())) {
                return null;
            }
            List<Row> out = new ArrayList<>();
            for (JsonNode r : rows) {
                Row row = Outcomes.decode(r, schema);
                if (!part.get("image").asText().equals(Outcomes.image(row))) {
                    return null;
                }
                out.add(row);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
