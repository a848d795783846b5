package org.dnispark.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.NiqeSettings;
import org.dnispark.config.Redaction;
import org.dnispark.image.RgbImage;
import org.dnispark.jobs.ImageFolders;
import org.dnispark.metrics.Niqe;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni niqe}: fits NIQE's natural-scene model on {@code dni.niqe.pristine} and scores every image of each
 * {@code dni.niqe.images} folder; prints each folder's mean and writes the per-image CSV to {@code dni.niqe.output},
 * with its manifest beside it ({@code scores.csv}: {@code scores.json}), written last, through the commands' run
 * lifecycle ({@link CommandRun}: the output guard, {@code dni.output.if-exists}). No Spark.
 */
final class NiqeCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NiqeCommand() {
    }

    static Map<String, Object> run(Config c) throws IOException {
        NiqeSettings s = NiqeSettings.from(c);
        Configuration conf = Storage.configuration(s.hadoop());
        CommandRun run = new CommandRun("niqe", "dni.niqe.output", s.output(), s.ifExists(), conf);
        // every file first, so that an output that is one of them is refused before any work
        List<String> pristineFiles = new ArrayList<>();
        for (String folder : s.pristine()) {
            pristineFiles.addAll(ImageFolders.list("dni.niqe.pristine", folder, s.extensions(), conf));
        }
        Map<String, List<String>> imageFiles = new LinkedHashMap<>();
        for (String folder : s.images()) {
            imageFiles.put(folder, ImageFolders.list("dni.niqe.images", folder, s.extensions(), conf));
        }
        if (!s.output().isEmpty()) {
            Map<String, List<String>> inputs = new LinkedHashMap<>();
            inputs.put("pristine image", pristineFiles);
            inputs.put("image", imageFiles.values().stream().flatMap(List::stream).toList());
            inputs.put("image folder", s.images());
            inputs.put("pristine folder", s.pristine());
            // what identifies the inputs: every file's URI, size and modification time (the jobs' listing digest)
            RunIdentity identity = RunIdentity.builder("niqe").settings(s).models(List.of())
                    .put("pristine", stamps(pristineFiles, conf))
                    .put("inputs", stamps(inputs.get("image"), conf)).build();
            List<String> outputs = List.of(s.output(), s.manifest());
            Map<String, Object> previous = run.begin(identity, outputs, s.manifest(), outputs, inputs);
            if (previous != null) {
                return previous;
            }
        }
        List<RgbImage> pristine = new ArrayList<>();
        for (String uri : pristineFiles) {
            pristine.add(decode(uri, s, conf));
        }
        Niqe.Model model = Niqe.fit(pristine);
        StringBuilder csv = new StringBuilder("folder,image,niqe\n");
        Map<String, Object> means = new LinkedHashMap<>();
        for (String folder : s.images()) {
            double sum = 0;
            List<String> uris = imageFiles.get(folder);
            for (String uri : uris) {
                double score = Niqe.score(decode(uri, s, conf), model);
                sum += score;
                csv.append(csvField(folder)).append(',').append(csvField(uri.substring(uri.lastIndexOf('/') + 1)))
                        .append(',').append(String.format(Locale.ROOT, "%.4f", score)).append('\n');
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("images", uris.size());
            f.put("mean_niqe", sum / uris.size());
            means.put(folder, f);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pristine", s.pristine());
        m.put("photographs", model.images());
        m.put("sharp_blocks", model.blocks());
        out.put("model", m);
        out.put("folders", means);
        out.put("output", s.output().isEmpty() ? null : s.output());
        if (!s.output().isEmpty()) {
            Storage.writeAtomically(s.output(), csv.toString().getBytes(StandardCharsets.UTF_8), conf);
            run.publish(run.manifest().models(List.of()).detail("pristine", s.pristine()).detail("images", s.images())
                    .summary(out).timings(Map.of("total_ms", run.elapsedMs()))
                    .config(JSON.readTree(Redaction.render(c))).build());
        }
        return out;
    }

    /** A digest of the files' URIs, sizes and modification times, in order, with their count. */
    private static String stamps(List<String> uris, Configuration conf) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String uri : uris) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
            org.apache.hadoop.fs.FileStatus st = Storage.fs(p, conf).getFileStatus(p);
            sb.append(uri).append(' ').append(st.getLen()).append(' ').append(st.getModificationTime()).append('\n');
        }
        return uris.size() + ":" + org.dnispark.provenance.Sha256.hex(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static RgbImage decode(String uri, NiqeSettings s, Configuration conf) throws IOException {
        return ImageFolders.decode(uri, s.maxPixels(), "dni.niqe.max-pixels", conf);
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
