package org.dnispark.jobs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.JobSettings;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.DegradationStep;
import org.dnispark.ncnn.NcnnGeometry;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.runtime.Architectures;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.storage.ModelStore;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The driver side shared by the jobs: validate inputs before any work, load and check the models, build the
 * interpolated weights once per coefficient vector and broadcast them, map image partitions through inference (one
 * predictor per partition), then write reports, the provenance manifest and publish the run atomically.
 */
abstract class DniJob<R extends ImageRow> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a finished run returns to its caller (the CLI prints it; tests inspect it). */
    static final class Run {
        final String output;
        final int images;
        final int rejected;
        final Map<String, Object> summary;

        Run(String output, int images, int rejected, Map<String, Object> summary) {
            this.output = output;
            this.images = images;
            this.rejected = rejected;
            this.summary = summary;
        }
    }

    /** The geometry of the run's network, known once the models are loaded (driver side only). */
    NcnnGeometry geometry;

    /** The tasks (images) of the run; sweep's paired mode overrides this. */
    List<ImageTask> tasks(JobSettings s, Configuration conf, List<Rejection> rejections) throws IOException {
        List<ImageTask> out = new ArrayList<>();
        for (String uri : listImages(s.images, "dni.input.images", s, conf)) {
            out.add(new ImageTask(ImageTask.stem(uri), uri, null));
        }
        return out;
    }

    static List<String> listImages(String dir, String key, JobSettings s, Configuration conf) throws IOException {
        List<String> files;
        try {
            files = Storage.listFiles(dir, s.extensions, conf);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(key + " = " + dir + ": no such folder");
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(key + " = " + dir + ": no images with extensions " + s.extensions);
        }
        return files;
    }

    /** Checks that the job can run with this model before any work (for example the sweep's scale). */
    void checkPlan(JobSettings s, NcnnGeometry geometry) {
    }

    /** The per-partition work. */
    abstract FlatMapFunction<java.util.Iterator<ImageTask>, Outcome<R>> partitionFunction(ExecutorPlan plan,
            JobSettings s);

    /** Writes the job's reports into the staging folder and returns the summary for the manifest. */
    abstract Map<String, Object> writeReports(SparkSession spark, JobSettings s, RunOutput out, List<R> rows,
            List<Rejection> rejections) throws IOException;

    /** Decodes a row of a resume checkpoint (see {@link ImageRow#toJson()}). */
    abstract R decodeRow(JsonNode json);

    final Run execute(SparkSession spark, JobSettings s) {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        s.hadoopConf.forEach(conf::set);
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(started)
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        RunOutput out = new RunOutput(s.output, s.ifExists, conf);
        Map<String, Object> timings = new LinkedHashMap<>();
        List<Broadcast<ModelWeights>> broadcasts = new ArrayList<>();
        out.refuseExisting();
        try {
            // 1. Models: read, digest, and check they can be interpolated, before touching any image.
            ModelStore store = new ModelStore(s.modelCache, conf);
            List<ModelStore.LoadedModel> models = new ArrayList<>();
            for (String ref : s.models) {
                models.add(store.load(ref));
            }
            List<ModelWeights> weights = new ArrayList<>();
            NcnnGraph graph = models.get(0).graph;
            for (ModelStore.LoadedModel m : models) {
                if ((m.graph == null) != (graph == null)) {
                    throw new IllegalArgumentException("models '" + models.get(0).reference + "' (" + models.get(0)
                            .format + ") and '" + m.reference + "' (" + m.format + ") mix an ncnn graph with a "
                            + "state dict; interpolated models must share one architecture");
                }
                if (graph != null) {
                    graph.checkSameStructure(m.graph);
                }
                weights.add(m.weights);
            }
            Interpolation.checkCompatible(weights);
            // An ncnn graph runs as written; a state dict needs a built-in architecture recognised from its keys.
            NetworkSpec network;
            try {
                if (graph != null) {
                    network = NetworkSpec.ncnn(graph);
                } else if (models.get(0).torchScript != null) {
                    network = org.dnispark.runtime.TorchScriptNetwork.spec(models.get(0).torchScript);
                } else {
                    network = Architectures.detect(weights.get(0));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model '" + models.get(0).reference + "': " + e.getMessage(), e);
            }
            NcnnGeometry geometry = network.geometry();
            this.geometry = geometry;
            checkPlan(s, geometry);
            timings.put("load_models_ms", ms(t0));

            List<Rejection> rejections = new ArrayList<>();
            List<ImageTask> tasks = tasks(s, conf, rejections);
            String fingerprint = fingerprint(s, models, tasks);

            // Resume: a complete output of this configuration is left alone; one of another is never mixed in.
            if (out.policy() == RunOutput.Policy.RESUME && out.targetExists()) {
                JsonNode previous = JSON.readTree(Storage.readAll(out.targetFile("manifest.json"), conf));
                if (fingerprint.equals(previous.path("fingerprint").asText())
                        && Storage.exists(out.targetFile(RunOutput.SUCCESS), conf)) {
                    Map<String, Object> summary = JSON.convertValue(previous.get("summary"),
                            new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
                    summary.put("already_complete", true);
                    return new Run(s.output, previous.path("images").path("accepted").asInt(),
                            previous.path("images").path("rejected").asInt(), summary);
                }
                throw new IllegalStateException("output " + s.output + " holds a run of another configuration "
                        + "(fingerprint " + previous.path("fingerprint").asText("none") + ", this run " + fingerprint
                        + "); resuming would mix two runs. Choose another output folder or dni.output.if-exists = "
                        + "overwrite");
            }
            out.openStaging(out.policy() == RunOutput.Policy.RESUME ? "resume-" + fingerprint.substring(0, 16)
                    : runId);
            List<Outcome<R>> outcomes = new ArrayList<>();
            int resumedImages = 0;
            if (out.resumed()) {
                Map<String, List<Outcome<R>>> done = Checkpoint.read(out.stagingUri(), conf, this::decodeRow);
                List<ImageTask> remaining = new ArrayList<>();
                for (ImageTask t : tasks) {
                    if (done.containsKey(t.name)) {
                        outcomes.addAll(done.get(t.name));
                        resumedImages++;
                    } else {
                        remaining.add(t);
                    }
                }
                tasks = remaining;
            }

            // 2. Interpolated weights: built once per coefficient vector on the driver, broadcast to executors.
            long t1 = System.nanoTime();
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Interpolation.Options options = new Interpolation.Options(s.allowExtrapolation, s.integerRule);
            if (!tasks.isEmpty() && s.pixelBlend) {
                // Pixel interpolation baseline: the source models themselves; executors blend their outputs.
                for (ModelWeights w : weights) {
                    broadcasts.add(jsc.broadcast(w));
                }
            } else if (!tasks.isEmpty()) {
                for (double[] c : s.coefficients) {
                    broadcasts.add(jsc.broadcast(Interpolation.interpolate(weights, c, options)));
                }
            }
            timings.put("interpolate_ms", ms(t1));

            // 3. Inference: image partitions through the network, one predictor per partition.
            long t2 = System.nanoTime();
            Map<String, String> hadoop = new LinkedHashMap<>();
            conf.forEach(e -> hadoop.put(e.getKey(), e.getValue()));
            List<Double> positions = new ArrayList<>();
            for (int i = 0; i < s.coefficients.size(); i++) {
                double a = s.alphas.get(i);
                positions.add(Double.isNaN(a) ? (s.coefficients.size() == 1 ? 1.0 : i / (s.coefficients.size() - 1.0))
                        : a);
            }
            ExecutorPlan plan = new ExecutorPlan(network, broadcasts, s.coefficientLabels, positions, geometry.scale(),
                    s.tileSize, s.torchThreads, s.device, s.batchSize, s.reflectPadding, s.degradation, s.seed, hadoop, out.stagingUri(),
                    out.policy() == RunOutput.Policy.RESUME, s.pixelBlend ? s.coefficients : null);
            int partitions = s.partitions > 0 ? s.partitions
                    : Math.max(1, Math.min(tasks.size(), 2 * jsc.defaultParallelism()));
            if (!tasks.isEmpty()) {
                outcomes.addAll(jsc.parallelize(tasks, partitions).mapPartitions(partitionFunction(plan, s)).collect());
            }
            timings.put("inference_ms", ms(t2));
            List<R> rows = new ArrayList<>();
            int rejectedImages = 0;
            for (Outcome<R> o : outcomes) {
                if (o.rejection != null) {
                    rejections.add(o.rejection);
                    rejectedImages++;
                } else {
                    rows.add(o.row);
                }
            }
            int accepted = (int) rows.stream().map(ImageRow::image).distinct().count();
            if (accepted == 0) {
                throw new IllegalArgumentException("every input image was rejected: " + describe(rejections));
            }

            // 4. Reports, manifest, publish. Checkpoint parts are bookkeeping, not part of the published run.
            long t3 = System.nanoTime();
            if (plan.checkpoint) {
                Storage.delete(out.file(Checkpoint.DIR), conf);
            }
            writeRejections(out, rejections);
            Map<String, Object> summary = writeReports(spark, s, out, rows, rejections);
            timings.put("reports_ms", ms(t3));
            timings.put("total_ms", ms(t0));
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("job", s.job.key());
            manifest.put("run_id", runId);
            manifest.put("fingerprint", fingerprint);
            manifest.put("output", s.output);
            manifest.put("output_policy", out.policy().name().toLowerCase(java.util.Locale.ROOT));
            manifest.put("started", started.toString());
            manifest.put("finished", Instant.now().toString());
            manifest.put("models", modelEntries(models));
            manifest.put("network", network.name());
            manifest.put("method", s.pixelBlend ? "pixel interpolation of the models' outputs (baseline)"
                    : "network interpolation (DNI)");
            manifest.put("geometry", Map.of("scale", geometry.scale(), "pre_pad", geometry.prePad(),
                    "tile_context", geometry.tileContext(), "tile_size", s.tileSize, "batch_size", s.batchSize,
                    "device", s.device));
            manifest.put("coefficients", coefficientEntries(s));
            manifest.put("alpha_convention", "theta = (1 - alpha) * models[0] + alpha * models[1]");
            manifest.put("degradation", s.degradation.stream().map(DegradationStep::toString).toArray());
            manifest.put("seed", s.seed);
            manifest.put("images", Map.of("accepted", accepted, "rejected", rejections.size(),
                    "resumed_from_checkpoint", resumedImages, "rejected_while_decoding", rejectedImages));
            manifest.put("summary", summary);
            manifest.put("versions", Provenance.versions(spark));
            manifest.put("git", Provenance.git());
            manifest.put("spark", Map.of("master", spark.sparkContext().master(), "partitions", partitions,
                    "default_parallelism", jsc.defaultParallelism()));
            manifest.put("timings", timings);
            manifest.put("config", JSON.readTree(s.renderedConfig));
            Storage.writeAtomically(out.file("manifest.json"), JSON.writeValueAsBytes(manifest), conf);
            out.commit();
            return new Run(s.output, accepted, rejections.size(), summary);
        } catch (IOException e) {
            out.abort();
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            out.abort();
            throw e;
        } catch (Exception e) {
            // Spark reports failed tasks as SparkException, a checked exception Scala throws undeclared.
            out.abort();
            throw new JobFailedException(s.job.key() + " failed in a Spark task: " + taskFailure(e), e);
        } finally {
            for (Broadcast<ModelWeights> b : broadcasts) {
                // Blocking removal from the executors first: an asynchronous one still in flight when the session
                // stops would end in "requests outstanding" errors in the log.
                b.unpersist(true);
                b.destroy();
            }
        }
    }

    /**
     * SHA-256 of everything that determines a run's results: job, model digests, coefficients, inputs, degradation,
     * seed and the job's own settings. Equal fingerprints mean a resumed run continues the same work.
     */
    static String fingerprint(JobSettings s, List<ModelStore.LoadedModel> models, List<ImageTask> tasks)
            throws IOException {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("job", s.job.key());
        List<String> digests = new ArrayList<>();
        for (ModelStore.LoadedModel m : models) {
            digests.add(String.join(":", m.files.values()));
        }
        f.put("models", digests);
        f.put("coefficients", s.coefficients);
        f.put("labels", s.coefficientLabels);
        f.put("interpolation", s.allowExtrapolation + "/" + s.integerRule);
        List<String> inputs = new ArrayList<>();
        for (ImageTask t : tasks) {
            inputs.add(t.name + "=" + t.inputUri + "|" + t.groundTruthUri);
        }
        f.put("inputs", inputs);
        f.put("degradation", s.degradation.stream().map(DegradationStep::toString).toArray());
        f.put("seed", s.seed);
        f.put("pixel_blend", s.pixelBlend);
        f.put("tile_size", s.tileSize);
        f.put("device", s.device);
        f.put("reflect_padding", s.reflectPadding); // GPU and CPU results differ in the last bits: never mix them in one run
        f.put("strip_height", s.stripHeight);
        f.put("crop_border", s.cropBorder);
        f.put("metric_y", s.metricIsY);
        return ModelStore.sha256(JSON.writeValueAsBytes(f));
    }

    static List<Object> modelEntries(List<ModelStore.LoadedModel> models) {
        List<Object> out = new ArrayList<>();
        for (ModelStore.LoadedModel m : models) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("reference", m.reference);
            e.put("format", m.format);
            List<Object> files = new ArrayList<>();
            m.files.forEach((uri, sha) -> files.add(Map.of("uri", uri, "sha256", sha)));
            e.put("files", files);
            e.put("tensors", m.weights.tensorCount());
            e.put("parameters", m.weights.parameterCount());
            out.add(e);
        }
        return out;
    }

    private static List<Object> coefficientEntries(JobSettings s) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < s.coefficients.size(); i++) {
            out.add(coefficientEntry(s, i));
        }
        return out;
    }

    /** Index, label, alpha (two models only) and vector of coefficient {@code k}, for JSON reports. */
    static Map<String, Object> coefficientEntry(JobSettings s, int k) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("index", k);
        e.put("label", s.coefficientLabels.get(k));
        if (!Double.isNaN(s.alphas.get(k))) {
            e.put("alpha", s.alphas.get(k));
        }
        e.put("coefficients", s.coefficients.get(k));
        return e;
    }

    private static void writeRejections(RunOutput out, List<Rejection> rejections) {
        Csv csv = new Csv("image", "uri", "reason");
        for (Rejection r : rejections) {
            csv.row(r.image, r.uri, r.reason);
        }
        Storage.writeAtomically(out.file("rejected.csv"), csv.bytes(), out.conf());
    }

    private static String describe(List<Rejection> rejections) {
        StringBuilder sb = new StringBuilder();
        for (Rejection r : rejections) {
            sb.append("\n  - ").append(r.uri).append(": ").append(r.reason);
        }
        return sb.toString();
    }

    /** A job that failed inside Spark (a task failed too often, an executor was lost for good, ...). */
    public static final class JobFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JobFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The task's own error from Spark's "Job aborted due to stage failure: ... most recent failure: ..." text. */
    static String taskFailure(Exception e) {
        String m = String.valueOf(e.getMessage());
        int i = m.indexOf("most recent failure:");
        String first = (i >= 0 ? m.substring(i + "most recent failure:".length()) : m).trim();
        int nl = first.indexOf('\n');
        return nl > 0 ? first.substring(0, nl) : first;
    }

    static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A minimal RFC 4180 CSV builder (quotes fields with commas, quotes or line breaks). */
    static final class Csv {
        private final StringBuilder sb = new StringBuilder();

        Csv(String... header) {
            row((Object[]) header);
        }

        Csv row(Object... fields) {
            for (int i = 0; i < fields.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                String f = String.valueOf(fields[i]);
                if (f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")) {
                    f = "\"" + f.replace("\"", "\"\"") + "\"";
                }
                sb.append(f);
            }
            sb.append('\n');
            return this;
        }

        byte[] bytes() {
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
