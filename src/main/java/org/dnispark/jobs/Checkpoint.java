package org.dnispark.jobs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import org.dnispark.storage.Storage;

/**
 * Per-image results kept in a run's staging folder ({@code parts/<image>.json}) when the output policy is resume,
 * so that a rerun of the same configuration skips images a failed run already finished. Plain JSON: reading a
 * checkpoint never instantiates arbitrary classes.
 */
final class Checkpoint {
    static final String DIR = "parts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /** Writes one part per image of a finished partition. */
    static <R extends ImageRow> void write(ExecutorPlan plan, Configuration conf, List<Outcome<R>> outcomes) {
        Map<String, Map<String, Object>> parts = new LinkedHashMap<>();
        for (Outcome<R> o : outcomes) {
            String image = o.rejection != null ? o.rejection.image : o.row.image();
            Map<String, Object> part = parts.computeIfAbsent(image, k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("image", k);
                m.put("rows", new ArrayList<Object>());
                return m;
            });
            if (o.rejection != null) {
                part.put("rejection", Map.of("image", o.rejection.image, "uri", o.rejection.uri,
                        "reason", o.rejection.reason));
            } else {
                @SuppressWarnings("unchecked")
                List<Object> rows = (List<Object>) part.get("rows");
                rows.add(o.row.toJson());
            }
        }
        for (Map.Entry<String, Map<String, Object>> e : parts.entrySet()) {
            try {
                Storage.writeAtomically(plan.output(DIR + "/" + fileName(e.getKey())),
                        JSON.writeValueAsBytes(e.getValue()), conf);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    static String fileName(String image) {
        return URLEncoder.encode(image, StandardCharsets.UTF_8) + ".json";
    }

    /** Finished images of an earlier attempt, by image name. */
    static <R extends ImageRow> Map<String, List<Outcome<R>>> read(String stagingUri, Configuration conf,
            Function<JsonNode, R> decode) throws IOException {
        Map<String, List<Outcome<R>>> done = new LinkedHashMap<>();
        Path dir = new Path(stagingUri, DIR);
        FileSystem fs = Storage.fs(dir, conf);
        FileStatus[] files;
        try {
            files = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return done;
        }
        for (FileStatus f : files) {
            String name = f.getPath().getName();
            if (!name.endsWith(".json") || name.startsWith(".")) {
                continue;
            }
            JsonNode part = JSON.readTree(Storage.readAll(f.getPath().toString(), conf));
            List<Outcome<R>> outcomes = new ArrayList<>();
            JsonNode rej = part.get("rejection");
            if (rej != null && !rej.isNull()) {
                outcomes.add(Outcome.rejected(new Rejection(rej.get("image").asText(), rej.get("uri").asText(),
                        rej.get("reason").asText())));
            }
            for (JsonNode row : part.get("rows")) {
                outcomes.add(Outcome.of(decode.apply(row)));
            }
            done.put(part.get("image").asText(), outcomes);
        }
        return done;
    }
}
