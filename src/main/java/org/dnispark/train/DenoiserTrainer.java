package org.dnispark.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.image.ImageCodec;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.Tensors;
import org.dnispark.models.LoadedModel;
import org.dnispark.models.ModelStore;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.provenance.Sha256;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * Trains one denoiser (from scratch, or fine-tuned from {@code init-from}) on Gaussian noise of one sigma, with
 * Adam on MSE. Writes {@code <output>.safetensors}, {@code <output>.pth} and the provenance {@code <output>.json};
 * while it runs, {@code <output>.checkpoint.safetensors} holds the parameters, Adam's moments and the step, so an
 * interrupted run continues with {@code dni.output.if-exists = resume} and reaches the same result.
 */
public final class DenoiserTrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainSettings s;
    private final Consumer<String> log;
    private final Configuration conf;
    /** Tests simulate an interruption: the run stops right after the checkpoint of this step. */
    private final long stopAfter;

    private DenoiserTrainer(TrainSettings s, Consumer<String> log, long stopAfter) {
        this.s = s;
        this.log = log;
        this.conf = Storage.configuration(s.storage().hadoop());
        this.stopAfter = stopAfter;
    }

    /** Trains as configured (super-resolution fine-tuning goes to {@link SuperResolutionTrainer}) and returns the summary that is also written to {@code <output>.json}. */
    public static Map<String, Object> run(TrainSettings s, Consumer<String> log) throws IOException {
        if (s.superResolution() != null) {
            return SuperResolutionTrainer.run(s, log);
        }
        return new DenoiserTrainer(s, log, -1).train();
    }

    static Map<String, Object> runUntil(TrainSettings s, Consumer<String> log, long stopAfter) throws IOException {
        return new DenoiserTrainer(s, log, stopAfter).train();
    }

    /** Raised by {@link #runUntil} when it stops. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(long step) {
            super("stopped after step " + step);
        }
    }

    private String modelFile() {
        return s.run().output() + ".safetensors";
    }

    private String checkpointFile() {
        return s.run().output() + ".checkpoint.safetensors";
    }

    private Map<String, Object> train() throws IOException {
        // data and parent first: a bad folder or parent fails before anything is written
        List<GreyImage> images = new ArrayList<>();
        List<Object> imageRecords = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        loadImages(images, imageRecords, skipped);
        Instant started = Instant.now();
        LoadedModel parent = s.schedule().initFrom().isEmpty() ? null
                : new ModelStore(s.storage().modelCache(), conf, s.storage().modelPolicy()).load(s.schedule().initFrom());
        RunIdentity identity = RunIdentity.builder("train").settings(s)
                .models(parent == null ? List.of() : List.of(parent.digest())).put("images", imageRecords).build();
        String fingerprint = identity.fingerprint();

        Begun begun = begin(s, conf, identity, List.of(), parent == null ? List.of()
                : List.copyOf(parent.files().keySet()));
        if (begun.previous() != null) {
            log.accept("train: " + modelFile() + " is already complete for this configuration");
            return begun.previous();
        }
        CommandRun run = begun.run();

        List<DenoiserArchitecture.Param> params = s.architecture().parameters();
        Map<String, float[]> start = new LinkedHashMap<>();
        Map<String, float[]> momentM = new LinkedHashMap<>();
        Map<String, float[]> momentV = new LinkedHashMap<>();
        long baseBatches = 0;
        long firstStep = 0;
        List<Object> curve = new ArrayList<>();
        double secondsBefore = 0;
        Safetensors.Loaded checkpoint = checkpoint(checkpointFile(), fingerprint, s.run().ifExists(), conf);
        if (checkpoint != null) {
            Map<String, int[]> expected = new LinkedHashMap<>();
            for (DenoiserArchitecture.Param p : params) {
                if (p.init() != DenoiserArchitecture.Init.COUNTER) {
                    expected.put(p.name(), toInt(p.shape()));
                }
                if (p.trainable()) {
                    expected.put("adam.m/" + p.name(), toInt(p.shape()));
                    expected.put("adam.v/" + p.name(), toInt(p.shape()));
                }
            }
            requireResumable(checkpoint, checkpointFile(), s.schedule().steps(), expected, true);
            firstStep = Long.parseLong(checkpoint.metadata.get("dni.train.step"));
            baseBatches = Long.parseLong(checkpoint.metadata.get("dni.train.base_batches"));
            secondsBefore = Double.parseDouble(checkpoint.metadata.get("dni.train.seconds"));
            JSON.readTree(checkpoint.metadata.get("dni.train.curve")).forEach(n -> curve.add(JSON.convertValue(n,
                    Map.class)));
            for (DenoiserArchitecture.Param p : params) {
                if (p.init() != DenoiserArchitecture.Init.COUNTER) {
                    start.put(p.name(), checkpoint.weights.get(p.name()).floatValues());
                }
                if (p.trainable()) {
                    momentM.put(p.name(), checkpoint.weights.get("adam.m/" + p.name()).floatValues());
                    momentV.put(p.name(), checkpoint.weights.get("adam.v/" + p.name()).floatValues());
                }
            }
            log.accept("train: resuming " + s.run().output() + " at step " + firstStep + " of " + s.schedule().steps());
        } else if (parent != null) {
            baseBatches = initFromParent(params, parent.weights(), start);
        } else {
            initialise(params, start);
        }

        PatchSampler sampler = new PatchSampler(images, s.data().patchSize(), s.seed());
        Engines.configure(s.run().torchThreads());
        Engines.disableGradientsOnThisThread();
        FiniteCheck.enable(s.run().checkFinite());
        int b = s.schedule().batchSize();
        int area = s.data().patchSize() * s.data().patchSize();
        float[] clean = new float[b * area];
        float[] noisy = new float[b * area];
        Shape batchShape = new Shape(b, 1, s.data().patchSize(), s.data().patchSize());
        Map<String, float[]> result = new LinkedHashMap<>();
        long batchesTracked;
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(org.dnispark.runtime.Devices.forTask(s.run().device(), null))) {
            NDManager kept = root.newSubManager();
            Map<String, NDArray> p = new LinkedHashMap<>();
            Adam adam = new Adam();
            for (DenoiserArchitecture.Param d : params) {
                if (d.init() == DenoiserArchitecture.Init.COUNTER) {
                    continue;
                }
                NDArray a = Tensors.copyIn(kept, start.get(d.name()), new Shape(d.shape()));
                if (d.trainable()) {
                    a.setRequiresGradient(true);
                    adam.init(d.name(), a, momentM.containsKey(d.name())
                            ? Tensors.copyIn(kept, momentM.get(d.name()), new Shape(d.shape())) : null,
                            momentV.containsKey(d.name())
                                    ? Tensors.copyIn(kept, momentV.get(d.name()), new Shape(d.shape())) : null, kept);
                }
                p.put(d.name(), a);
            }
            double lossSum = 0;
            int lossCount = 0;
            long intervalStart = System.nanoTime();
            for (long step = firstStep; step < s.schedule().steps(); step++) {
                sampler.batch(step, b, s.data().sigma(), clean, noisy);
                float loss;
                try (NDManager scope = root.newSubManager()) {
                    NDArray x = Tensors.copyIn(scope, noisy, batchShape);
                    NDArray y = Tensors.copyIn(scope, clean, batchShape);
                    Map<String, NDArray> before = new LinkedHashMap<>(p);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        FiniteCheck.startForward();
                        NDArray lossArray = FiniteCheck.check(s.architecture().forward(p, x, true).sub(y).square()
                                .mean(), "loss", "mean squared error");
                        gc.backward(lossArray);
                        loss = lossArray.getFloat();
                    }
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException("training diverged at step " + step + " (loss " + loss
                                + "); lower dni.train.learning-rate (now " + s.schedule().learningRate() + ")");
                    }
                    for (Map.Entry<String, NDArray> e : p.entrySet()) {
                        NDArray old = before.get(e.getKey());
                        if (e.getValue() != old) {
                            // batch norm's running statistics were replaced: keep the new ones, free the old
                            e.getValue().attach(kept);
                            old.close();
                        }
                    }
                    float lr = s.schedule().learningRateAt(step);
                    for (DenoiserArchitecture.Param d : params) {
                        if (d.trainable()) {
                            adam.update(d.name(), p.get(d.name()), step + 1, lr, scope);
                        }
                    }
                }
                lossSum += loss;
                lossCount++;
                long done = step + 1;
                if (done % s.run().logEvery() == 0 || done == s.schedule().steps()) {
                    double seconds = (System.nanoTime() - intervalStart) / 1e9;
                    double meanLoss = lossSum / lossCount;
                    double rate = lossCount * (double) b / seconds;
                    double elapsed = secondsBefore + (System.nanoTime() - t0) / 1e9;
                    Map<String, Object> point = new LinkedHashMap<>();
                    point.put("step", done);
                    point.put("loss", meanLoss);
                    point.put("psnr_db", 10 * Math.log10(1 / meanLoss));
                    point.put("patches_per_second", rate);
                    point.put("learning_rate", (double) s.schedule().learningRateAt(step));
                    point.put("elapsed_seconds", elapsed);
                    curve.add(point);
                    log.accept(String.format(Locale.ROOT, "train %s: step %d/%d  loss %.6f (%.2f dB)  %.0f "
                            + "patches/s  lr %.1e  %.0f s, about %.0f s left", s.run().output(), done, s.schedule().steps(), meanLoss,
                            10 * Math.log10(1 / meanLoss), rate, s.schedule().learningRateAt(step), elapsed,
                            (s.schedule().steps() - done) * (double) b / rate));
                    lossSum = 0;
                    lossCount = 0;
                    intervalStart = System.nanoTime();
                }
                if (done % s.run().checkpointEvery() == 0 && done < s.schedule().steps()) {
                    writeCheckpoint(params, p, adam, done, baseBatches, fingerprint, curve,
                            secondsBefore + (System.nanoTime() - t0) / 1e9);
                }
                if (done == stopAfter) {
                    throw new Stopped(done);
                }
            }
            for (DenoiserArchitecture.Param d : params) {
                if (d.init() != DenoiserArchitecture.Init.COUNTER) {
                    result.put(d.name(), p.get(d.name()).toFloatArray());
                }
            }
            batchesTracked = baseBatches + s.schedule().steps();
        }
        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
        ModelWeights weights = export(params, result, batchesTracked);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("output", List.of(modelFile(), s.run().output() + ".pth", s.run().output() + ".json"));
        summary.put("architecture", s.architecture().describe());
        summary.put("fingerprint", fingerprint);
        Map<String, Object> parentEntry = null;
        if (parent != null) {
            parentEntry = new LinkedHashMap<>();
            parentEntry.put("reference", parent.reference());
            parentEntry.put("files", parent.files());
        }
        summary.put("parent", parentEntry);
        runFacts(summary, s, imageRecords, skipped, weights, seconds, curve);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("train_seconds", seconds);
        RunManifest manifest = run.manifest().started(started)
                .models(parent == null ? List.of() : org.dnispark.models.ModelSet.of(List.of(parent), false).describe())
                .detail("architecture", s.architecture().describe()).summary(summary).timings(timings)
                .config(JSON.readTree(s.storage().renderedConfig())).build();
        Map<String, String> stMeta = new LinkedHashMap<>();
        // a LinkedHashMap, not Map.of: the metadata, and so the file, must not depend on the JVM's hash seed
        Map<String, Object> trainMeta = new LinkedHashMap<>();
        trainMeta.put("fingerprint", fingerprint);
        trainMeta.put("architecture", s.architecture().describe());
        trainMeta.put("sigma", s.data().sigma());
        trainMeta.put("steps", s.schedule().steps());
        stMeta.put("dni.train", new ObjectMapper().writeValueAsString(trainMeta));
        // the model files first, the provenance last: a .json means the run finished
        writeStateDict(s.run().output(), weights, stMeta, conf);
        run.publish(manifest);
        if (Storage.exists(checkpointFile(), conf)) {
            Storage.delete(checkpointFile(), conf);
        }
        log.accept(String.format(Locale.ROOT, "train: wrote %s (%.0f s)", modelFile(), seconds));
        return summary;
    }

    /** What every training run's summary records after its own entries: data, size, time, device and the curve. */
    static void runFacts(Map<String, Object> summary, TrainSettings s, List<Object> imageRecords, List<String> skipped,
            ModelWeights weights, double seconds, List<Object> curve) {
        summary.put("training_images", imageRecords);
        summary.put("skipped_images", skipped);
        summary.put("parameters", weights.parameterCount());
        summary.put("seconds", seconds);
        summary.put("torch_threads", s.run().torchThreads());
        summary.put("device", s.run().device());
        summary.put("final_loss", curve.isEmpty() ? null : ((Map<?, ?>) curve.get(curve.size() - 1)).get("loss"));
        summary.put("curve", curve);
    }

    /** {@code <output>.safetensors} and {@code <output>.pth}, each written atomically, with the same metadata. */
    static void writeStateDict(String output, ModelWeights weights, Map<String, String> metadata, Configuration conf)
            throws IOException {
        String archive = output.substring(output.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
        Storage.writeAtomically(output + ".safetensors", Safetensors.write(weights, metadata), conf);
        Storage.writeAtomically(output + ".pth", PyTorchCheckpoint.write(weights, archive.isEmpty() ? "archive"
                : archive, new ObjectMapper().writeValueAsString(metadata)), conf);
    }

    private void loadImages(List<GreyImage> images, List<Object> records, List<String> skipped) throws IOException {
        for (String uri : photographs(s.data(), conf, skipped)) {
            byte[] bytes = Storage.readAll(uri, conf);
            GreyImage g = GreyImage.of(uri, ImageCodec.decode(bytes, uri), s.data().maxSide());
            if (g.width() < s.data().patchSize() || g.height() < s.data().patchSize()) {
                skipped.add(uri + " (" + g.width() + "x" + g.height() + ", smaller than a patch)");
                continue;
            }
            images.add(g);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("uri", uri);
            r.put("sha256", Sha256.hex(bytes));
            r.put("grey_size", g.width() + "x" + g.height());
            records.add(r);
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("dni.train.images " + s.data().images() + ": no usable photographs (extensions "
                    + s.data().extensions() + ", at least " + s.data().patchSize() + "x" + s.data().patchSize() + " after shrinking to max-side "
                    + s.data().maxSide() + ")");
        }
    }

    /**
     * The training photographs' URIs: every file of {@code dni.train.images} with an accepted extension, in folder
     * and name order, but the excluded ones (recorded in {@code skipped}). An exclusion that matches no file is an
     * error, so that a misspelt one cannot train on a test image.
     */
    static List<String> photographs(TrainSettings.Data d, Configuration conf, List<String> skipped)
            throws IOException {
        List<String> unmatched = new ArrayList<>(d.exclude());
        List<String> out = new ArrayList<>();
        for (String folder : d.images()) {
            List<String> files;
            try {
                files = Storage.listFiles(folder, d.extensions(), conf);
            } catch (FileNotFoundException e) {
                throw new IllegalArgumentException("dni.train.images: folder " + folder + " not found");
            }
            for (String uri : files) {
                String file = uri.substring(uri.lastIndexOf('/') + 1);
                String stem = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
                if (d.exclude().contains(file) || d.exclude().contains(stem)) {
                    unmatched.remove(file);
                    unmatched.remove(stem);
                    skipped.add(uri + " (excluded)");
                } else {
                    out.add(uri);
                }
            }
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("dni.train.exclude: " + unmatched + " matched no file in "
                    + d.images() + "; a misspelt exclusion would silently train on a test image");
        }
        return out;
    }

    private void initialise(List<DenoiserArchitecture.Param> params, Map<String, float[]> start) {
        Random rnd = new Random(s.seed());
        for (DenoiserArchitecture.Param p : params) {
            if (p.init() == DenoiserArchitecture.Init.COUNTER) {
                continue;
            }
            int n = (int) NamedTensor.elementCount(toInt(p.shape()));
            float[] v = new float[n];
            switch (p.init()) {
                case HE_NORMAL: {
                    double fanIn = (double) n / p.shape()[0];
                    double std = Math.sqrt(2.0 / fanIn);
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (std * rnd.nextGaussian());
                    }
                    break;
                }
                case SMALL_NORMAL:
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (1e-3 * rnd.nextGaussian());
                    }
                    break;
                case ONES:
                    java.util.Arrays.fill(v, 1f);
                    break;
                default:
                    break;
            }
            start.put(p.name(), v);
        }
    }

    /** Fine-tuning: every tensor from the parent, which must have this architecture's names and shapes. */
    private long initFromParent(List<DenoiserArchitecture.Param> params, ModelWeights parent,
            Map<String, float[]> start) {
        List<String> problems = new ArrayList<>();
        long batches = 0;
        for (DenoiserArchitecture.Param p : params) {
            if (!parent.contains(p.name())) {
                problems.add(p.name() + " missing");
                continue;
            }
            NamedTensor t = parent.get(p.name());
            if (!java.util.Arrays.equals(t.shape(), toInt(p.shape()))) {
                problems.add(p.name() + " has shape " + t.shapeString() + ", expected "
                        + java.util.Arrays.toString(p.shape()));
            } else if (p.init() == DenoiserArchitecture.Init.COUNTER) {
                batches = t.dtype().isFloating() ? (long) t.floatValues()[0] : t.longValues()[0];
            } else {
                start.put(p.name(), t.floatValues());
            }
        }
        if (parent.tensorCount() != params.size()) {
            problems.add(parent.tensorCount() + " tensors, expected " + params.size());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("dni.train.init-from '" + s.schedule().initFrom() + "' does not fit "
                    + s.architecture().describe() + ": " + String.join("; ", problems.subList(0,
                            Math.min(6, problems.size()))) + (problems.size() > 6 ? "; ..." : ""));
        }
        return batches;
    }

    private static ModelWeights export(List<DenoiserArchitecture.Param> params, Map<String, float[]> values,
            long batches) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (DenoiserArchitecture.Param p : params) {
            tensors.add(p.init() == DenoiserArchitecture.Init.COUNTER
                    ? NamedTensor.ofLongs(p.name(), new int[0], DType.INT64, new long[] {batches})
                    : NamedTensor.ofFloats(p.name(), toInt(p.shape()), DType.FLOAT32, values.get(p.name())));
        }
        return new ModelWeights("trained", tensors);
    }

    private void writeCheckpoint(List<DenoiserArchitecture.Param> params, Map<String, NDArray> p, Adam adam,
            long step, long baseBatches, String fingerprint, List<Object> curve, double seconds) throws IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        for (DenoiserArchitecture.Param d : params) {
            if (d.init() == DenoiserArchitecture.Init.COUNTER) {
                continue;
            }
            int[] shape = toInt(d.shape());
            tensors.add(NamedTensor.ofFloats(d.name(), shape, DType.FLOAT32, p.get(d.name()).toFloatArray()));
            if (d.trainable()) {
                tensors.add(NamedTensor.ofFloats("adam.m/" + d.name(), shape, DType.FLOAT32,
                        adam.first.get(d.name()).toFloatArray()));
                tensors.add(NamedTensor.ofFloats("adam.v/" + d.name(), shape, DType.FLOAT32,
                        adam.second.get(d.name()).toFloatArray()));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dni.train.fingerprint", fingerprint);
        meta.put("dni.train.step", Long.toString(step));
        meta.put("dni.train.base_batches", Long.toString(baseBatches));
        meta.put("dni.train.seconds", Double.toString(seconds));
        meta.put("dni.train.curve", new ObjectMapper().writeValueAsString(curve));
        Storage.writeAtomically(checkpointFile(), Safetensors.write(new ModelWeights("checkpoint", tensors), meta),
                conf);
        log.accept("train: checkpoint at step " + step + " in " + checkpointFile());
    }

    /** A training run begun: the lifecycle to finish it with, and an earlier finished run's summary, or null. */
    record Begun(CommandRun run, Map<String, Object> previous) {
    }

    /**
     * The commands' run lifecycle for a training run: before any work, refuses files that would replace one of the
     * run's inputs (its photographs, its parent's files) and applies {@code dni.output.if-exists} to an earlier run at
     * {@code dni.train.output}, whose manifest ({@code output.json}, written last) marks it finished. The run writes
     * {@code output.safetensors}, {@code .pth}, {@code .json}, its checkpoint, and {@code extraFiles}.
     */
    static Begun begin(TrainSettings s, Configuration conf, RunIdentity identity, List<String> extraFiles,
            List<String> parentFiles) throws IOException {
        String output = s.run().output();
        CommandRun run = new CommandRun("train", "dni.train.output", output, s.run().ifExists(), conf);
        List<String> writes = new ArrayList<>(List.of(output + ".safetensors", output + ".pth", output + ".json",
                output + ".checkpoint.safetensors"));
        writes.addAll(extraFiles);
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        inputs.put("training photographs", s.data().images());
        inputs.put("parent model", parentFiles);
        Map<String, Object> previous = run.begin(identity, List.of(output + ".safetensors", output + ".json"),
                output + ".json", writes, inputs);
        return new Begun(run, previous);
    }

    /**
     * The checkpoint an interrupted run left, to continue from (resume, same fingerprint); null when there is none
     * or it is overwritten; an error naming the choice otherwise.
     */
    static Safetensors.Loaded checkpoint(String file, String fingerprint, RunOutput.Policy policy,
            Configuration conf) throws IOException {
        if (!Storage.exists(file, conf) || policy == RunOutput.Policy.OVERWRITE) {
            return null;
        }
        if (policy != RunOutput.Policy.RESUME) {
            throw new IllegalStateException("an unfinished run left " + file + "; set "
                    + "dni.output.if-exists = resume to continue it, or overwrite to start again");
        }
        Safetensors.Loaded c = Safetensors.read(Storage.readAll(file, conf), file);
        if (!fingerprint.equals(c.metadata.get("dni.train.fingerprint"))) {
            throw new IllegalStateException(file + " belongs to another configuration; set "
                    + "dni.output.if-exists = overwrite to discard it, or choose another dni.train.output");
        }
        return c;
    }

    /**
     * Refuses a checkpoint that is not what this configuration's run would have written, before anything is built from
     * it, naming the file and the field: its step must lie in [0, steps) (a checkpoint is only written before the
     * last step, so a larger one would publish a shorter run as finished), its seconds, base batches and curve must
     * parse, and it must hold exactly {@code expected} (name to shape), every value finite (non-finite Adam moments
     * would otherwise surface as a divergence blamed on the learning rate).
     */
    static void requireResumable(Safetensors.Loaded c, String file, long steps, Map<String, int[]> expected,
            boolean baseBatches) {
        long step = metadataLong(c, file, "dni.train.step");
        if (step < 0 || step >= steps) {
            throw new IllegalArgumentException(file + ": metadata dni.train.step is " + step + "; expected a step in "
                    + "[0, " + steps + ") of this run (dni.train.steps = " + steps + ")");
        }
        if (baseBatches && metadataLong(c, file, "dni.train.base_batches") < 0) {
            throw new IllegalArgumentException(file + ": metadata dni.train.base_batches is negative");
        }
        String seconds = c.metadata.get("dni.train.seconds");
        try {
            double v = Double.parseDouble(seconds);
            if (!Double.isFinite(v) || v < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(file + ": metadata dni.train.seconds is '" + seconds + "'; expected a "
                    + "non-negative number");
        }
        try {
            if (!JSON.readTree(c.metadata.getOrDefault("dni.train.curve", "")).isArray()) {
                throw new IllegalArgumentException(file + ": metadata dni.train.curve is not a JSON array");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": metadata dni.train.curve is not JSON ("
                    + e.getOriginalMessage() + ")");
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            NamedTensor t = c.weights.get(e.getKey());
            if (t == null) {
                problems.add(e.getKey() + " is missing");
            } else if (!java.util.Arrays.equals(t.shape(), e.getValue()) || !t.dtype().isFloating()) {
                problems.add(e.getKey() + " is " + t.dtype() + " " + java.util.Arrays.toString(t.shape())
                        + ", expected FLOAT32 " + java.util.Arrays.toString(e.getValue()));
            } else if (t.nonFinite() != null) {
                problems.add(e.getKey() + " " + t.nonFinite());
            }
        }
        for (String name : c.weights.names()) {
            if (!expected.containsKey(name)) {
                problems.add(name + " is not a tensor of this run");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file + ": not this run's checkpoint: " + String.join("; ",
                    problems.subList(0, Math.min(8, problems.size()))) + (problems.size() > 8 ? "; ..." : "")
                    + " (set dni.output.if-exists = overwrite to start again)");
        }
    }

    private static long metadataLong(Safetensors.Loaded c, String file, String key) {
        String v = c.metadata.get(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata " + key + " is '" + v + "'; expected an integer");
        }
    }

    static int[] toInt(long[] shape) {
        int[] r = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = (int) shape[i];
        }
        return r;
    }
}
