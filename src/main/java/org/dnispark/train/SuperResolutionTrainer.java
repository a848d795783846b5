package org.dnispark.train;

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
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.Safetensors;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.models.LoadedModel;
import org.dnispark.models.ModelStore;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.RunManifest;
import org.dnispark.provenance.Sha256;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.Ops;
import org.dnispark.runtime.Tensors;
import org.dnispark.arch.RrdbNet;
import org.dnispark.runtime.TrainableNetwork;
import org.dnispark.storage.Storage;

/**
 * Fine-tunes a super-resolution network (RRDBNet or SRVGGNetCompact, from {@code init-from}) on RGB patches of the
 * training photographs with MATLAB-bicubic low-resolution inputs: with L1 or MSE, or as a GAN (L1 plus the
 * non-saturating adversarial loss of a small {@link Discriminator} trained beside it). Adam for both; the forward
 * pass is the inference code's ({@link TrainableNetwork}). Writes {@code <output>.safetensors} and {@code .pth} with
 * BasicSR's keys, {@code <output>.param}/{@code .bin} too when the parent is an ncnn RRDBNet (in the parent's storage
 * precision, so that the pair interpolates), and the provenance
 * {@code <output>.json} last. {@code <output>.checkpoint.safetensors} holds both networks, their Adam moments and the
 * step, so {@code dni.output.if-exists = resume} continues an interrupted run to the same weights.
 */
public final class SuperResolutionTrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String D = "discriminator/";

    private final TrainSettings s;
    private final TrainSettings.SuperResolution sr;
    private final Consumer<String> log;
    private final Configuration conf;
    private final long stopAfter;

    private SuperResolutionTrainer(TrainSettings s, Consumer<String> log, long stopAfter) {
        this.s = s;
        this.sr = s.superResolution();
        this.log = log;
        this.conf = Storage.configuration(s.storage().hadoop());
        this.stopAfter = stopAfter;
    }

    /** Fine-tunes as configured and returns the summary that is also written to {@code <output>.json}. */
    public static Map<String, Object> run(TrainSettings s, Consumer<String> log) throws IOException {
        return new SuperResolutionTrainer(s, log, -1).train();
    }

    static Map<String, Object> runUntil(TrainSettings s, Consumer<String> log, long stopAfter) throws IOException {
        return new SuperResolutionTrainer(s, log, stopAfter).train();
    }

    private String out() {
        return s.run().output();
    }

    private String checkpointFile() {
        return out() + ".checkpoint.safetensors";
    }

    private boolean gan() {
        return sr.loss() == TrainSettings.Loss.GAN;
    }

    private Map<String, Object> train() throws IOException {
        Instant started = Instant.now();
        LoadedModel parent = new ModelStore(s.storage().modelCache(), conf, s.storage().modelPolicy())
                .load(s.schedule().initFrom());
        ModelWeights start = stateDict(parent);
        List<SrPatchSampler.Pair> pairs = new ArrayList<>();
        List<Object> imageRecords = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int scale;
        String architecture;
        try (NDManager probe = NDManager.newBaseManager(); TrainableNetwork n = TrainableNetwork.of(start, probe)) {
            scale = n.scale();
            architecture = n.name();
        }
        String expected = sr.architecture().equals("rrdbnet") ? "RRDBNet(" : "SRVGGNetCompact(";
        if (!architecture.startsWith(expected)) {
            throw new IllegalArgumentException("dni.train.init-from '" + s.schedule().initFrom() + "' is "
                    + architecture + ", not the dni.train.architecture " + sr.architecture());
        }
        loadImages(scale, pairs, imageRecords, skipped);
        RunIdentity identity = RunIdentity.builder("train").settings(s).models(List.of(parent.digest()))
                .put("images", imageRecords).build();
        String fingerprint = identity.fingerprint();
        DenoiserTrainer.Begun begun = DenoiserTrainer.begin(s, conf, identity, List.of(out() + ".param",
                out() + ".bin"), List.copyOf(parent.files().keySet()));
        if (begun.previous() != null) {
            log.accept("train: " + out() + ".safetensors is already complete for this configuration");
            return begun.previous();
        }

        Discriminator disc = gan() ? new Discriminator(sr.discriminatorFeatures()) : null;
        List<DenoiserArchitecture.Param> dParams = disc == null ? List.of() : disc.parameters();
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, float[]> moments = new LinkedHashMap<>();
        long firstStep = 0;
        double secondsBefore = 0;
        List<Object> curve = new ArrayList<>();
        Safetensors.Loaded checkpoint = DenoiserTrainer.checkpoint(checkpointFile(), fingerprint, s.run().ifExists(),
                conf);
        if (checkpoint != null) {
            Map<String, int[]> held = new LinkedHashMap<>();
            for (NamedTensor t : start.tensors()) {
                for (String prefix : new String[] {"", "adam.m/", "adam.v/"}) {
                    held.put(prefix + t.name(), t.shape());
                }
            }
            for (DenoiserArchitecture.Param p : dParams) {
                for (String prefix : new String[] {"", "adam.m/", "adam.v/"}) {
                    held.put(prefix + D + p.name(), DenoiserTrainer.toInt(p.shape()));
                }
            }
            DenoiserTrainer.requireResumable(checkpoint, checkpointFile(), s.schedule().steps(), held, false);
            firstStep = Long.parseLong(checkpoint.metadata.get("dni.train.step"));
            secondsBefore = Double.parseDouble(checkpoint.metadata.get("dni.train.seconds"));
            JSON.readTree(checkpoint.metadata.get("dni.train.curve")).forEach(n -> curve.add(JSON.convertValue(n,
                    Map.class)));
            for (NamedTensor t : checkpoint.weights.tensors()) {
                (t.name().startsWith("adam.") ? moments : values).put(t.name(), t.floatValues());
            }
            log.accept("train: resuming " + out() + " at step " + firstStep + " of " + s.schedule().steps());
        } else {
            for (NamedTensor t : start.tensors()) {
                values.put(t.name(), t.floatValues());
            }
            Random rnd = new Random(s.seed());
            for (DenoiserArchitecture.Param p : dParams) {
                values.put(D + p.name(), Discriminator.initial(p, rnd));
            }
        }

        SrPatchSampler sampler = new SrPatchSampler(pairs, s.data().patchSize(), scale, s.seed());
        Engines.configure(s.run().torchThreads());
        Engines.disableGradientsOnThisThread();
        FiniteCheck.enable(s.run().checkFinite());
        int b = s.schedule().batchSize();
        int lp = s.data().patchSize();
        int hp = lp * scale;
        float[] low = new float[b * 3 * lp * lp];
        float[] high = new float[b * 3 * hp * hp];
        ModelWeights result;
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(org.dnispark.runtime.Devices.forTask(s.run().device(), null));
                TrainableNetwork net = TrainableNetwork.of(start, root)) {
            NDManager kept = root.newSubManager();
            Map<String, NDArray> g = new LinkedHashMap<>();
            Map<String, NDArray> d = new LinkedHashMap<>();
            Adam adamG = new Adam();
            Adam adamD = new Adam();
            for (NamedTensor t : start.tensors()) {
                g.put(t.name(), parameter(kept, t.name(), t.shape(), values, moments, adamG, ""));
            }
            for (DenoiserArchitecture.Param p : dParams) {
                int[] shape = DenoiserTrainer.toInt(p.shape());
                d.put(p.name(), parameter(kept, D + p.name(), shape, values, moments, adamD, D));
            }
            double lossSum = 0;
            double advSum = 0;
            double dSum = 0;
            int count = 0;
            long intervalStart = System.nanoTime();
            for (long step = firstStep; step < s.schedule().steps(); step++) {
                sampler.batch(step, b, low, high);
                float loss;
                float pixel;
                float adversarial = 0;
                float dLoss = 0;
                try (NDManager scope = root.newSubManager()) {
                    NDArray x = Tensors.copyIn(scope, low, new Shape(b, 3, lp, lp));
                    NDArray y = Tensors.copyIn(scope, high, new Shape(b, 3, hp, hp));
                    NDArray fake;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        FiniteCheck.startForward();
                        NDArray out = net.forward(g, x);
                        NDArray diff = out.sub(y);
                        NDArray pixelLoss = sr.loss() == TrainSettings.Loss.MSE ? diff.square().mean()
                                : diff.abs().mean();
                        FiniteCheck.check(pixelLoss, "loss", "pixel loss");
                        NDArray total = pixelLoss;
                        if (gan()) {
                            NDArray advLoss = Activation.softPlus(disc.forward(d, out).neg()).mean();
                            total = Ops.mul(pixelLoss, (float) sr.l1Weight()).add(Ops.mul(advLoss, (float) sr.adversarialWeight()));
                            adversarial = advLoss.getFloat();
                        }
                        loss = total.getFloat();
                        pixel = pixelLoss.getFloat();
                        // checked before the backward pass, so that a NaN never reaches the weights' gradients
                        float pixelValue = pixel;
                        float adversarialValue = adversarial;
                        diverged(step, loss, gan() ? "generator" : "pixel", () -> (gan() ? "pixel " + pixelValue
                                + ", adversarial " + adversarialValue + ", " : "") + "output "
                                + (Float.isFinite(out.abs().max().getFloat()) ? "finite" : "not finite"));
                        gc.backward(total);
                        fake = out.stopGradient();
                    }
                    float lr = s.schedule().learningRateAt(step);
                    for (String name : g.keySet()) {
                        adamG.update(name, g.get(name), step + 1, lr, scope);
                    }
                    if (gan()) {
                        for (NDArray a : d.values()) {
                            NDArray grad = a.getGradient();
                            grad.attach(scope);
                            grad.subi(grad); // the generator's step must not move the discriminator
                        }
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray real = Activation.softPlus(disc.forward(d, y).neg()).mean();
                            NDArray generated = Activation.softPlus(disc.forward(d, fake)).mean();
                            NDArray total = real.add(generated);
                            gc.backward(total);
                            dLoss = total.getFloat();
                        }
                        diverged(step, dLoss, "discriminator", () -> "");
                        float dlr = (float) (sr.discriminatorLearningRate() * s.schedule().learningRateAt(step)
                                / s.schedule().learningRate());
                        for (String name : d.keySet()) {
                            adamD.update(name, d.get(name), step + 1, dlr, scope);
                        }
                    }
                }
                lossSum += pixel;
                advSum += adversarial;
                dSum += dLoss;
                count++;
                long done = step + 1;
                if (done % s.run().logEvery() == 0 || done == s.schedule().steps()) {
                    double seconds = (System.nanoTime() - intervalStart) / 1e9;
                    double elapsed = secondsBefore + (System.nanoTime() - t0) / 1e9;
                    double rate = count * (double) b / seconds;
                    Map<String, Object> point = new LinkedHashMap<>();
                    point.put("step", done);
                    point.put("loss", lossSum / count);
                    point.put("loss_kind", sr.loss() == TrainSettings.Loss.MSE ? "mse" : "l1");
                    if (gan()) {
                        point.put("adversarial_loss", advSum / count);
                        point.put("discriminator_loss", dSum / count);
                    }
                    point.put("patches_per_second", rate);
                    point.put("learning_rate", (double) s.schedule().learningRateAt(step));
                    point.put("elapsed_seconds", elapsed);
                    curve.add(point);
                    log.accept(String.format(Locale.ROOT, "train %s: step %d/%d  %s %.5f%s  %.2f patches/s  lr %.1e"
                            + "  %.0f s, about %.0f s left", out(), done, s.schedule().steps(), point.get("loss_kind"),
                            lossSum / count, gan() ? String.format(Locale.ROOT, "  adversarial %.4f  discriminator "
                                    + "%.4f", advSum / count, dSum / count) : "", rate,
                            s.schedule().learningRateAt(step), elapsed, (s.schedule().steps() - done) * (double) b
                                    / rate));
                    lossSum = 0;
                    advSum = 0;
                    dSum = 0;
                    count = 0;
                    intervalStart = System.nanoTime();
                }
                if (done % s.run().checkpointEvery() == 0 && done < s.schedule().steps()) {
                    writeCheckpoint(start, g, adamG, d, adamD, done, fingerprint, curve,
                            secondsBefore + (System.nanoTime() - t0) / 1e9);
                }
                if (done == stopAfter) {
                    throw new DenoiserTrainer.Stopped(done);
                }
            }
            List<NamedTensor> tensors = new ArrayList<>();
            for (NamedTensor t : start.tensors()) {
                tensors.add(NamedTensor.ofFloats(t.name(), t.shape(), DType.FLOAT32, g.get(t.name()).toFloatArray()));
            }
            result = new ModelWeights("fine-tuned", tensors);
        }
        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
        return publish(begun.run(), parent, result, fingerprint, started, seconds, imageRecords, skipped, curve,
                architecture, scale);
    }

    /**
     * Stops a run whose {@code which} loss is no longer finite; {@code details} (computed only then) adds what helps
     * to find why.
     */
    private static void diverged(long step, float loss, String which, java.util.function.Supplier<String> details) {
        if (!Float.isFinite(loss)) {
            String more = details.get();
            throw new IllegalStateException("training diverged at step " + step + " (" + which + " loss " + loss
                    + (more.isEmpty() ? "" : "; " + more) + "); lower dni.train.learning-rate");
        }
    }

    /** A trainable array from {@code values} (with Adam moments when resuming). */
    private static NDArray parameter(NDManager kept, String key, int[] shape, Map<String, float[]> values,
            Map<String, float[]> moments, Adam adam, String prefix) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        NDArray a = Tensors.copyIn(kept, values.get(key), new Shape(dims));
        a.setRequiresGradient(true);
        String name = key.substring(prefix.length());
        float[] m = moments.get("adam.m/" + key);
        float[] v = moments.get("adam.v/" + key);
        adam.init(name, a, m == null ? null : Tensors.copyIn(kept, m, new Shape(dims)),
                v == null ? null : Tensors.copyIn(kept, v, new Shape(dims)), kept);
        return a;
    }

    /** The parent's state dict with BasicSR's keys; an ncnn RRDBNet is read into them. */
    private ModelWeights stateDict(LoadedModel parent) {
        ModelWeights w = parent.graph() == null ? parent.weights()
                : RrdbNet.fromNcnn(new NcnnModel(parent.graph(), parent.weights()));
        List<NamedTensor> floats = new ArrayList<>();
        for (NamedTensor t : w.tensors()) {
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException("dni.train.init-from '" + s.schedule().initFrom() + "': tensor "
                        + t.name() + " is " + t.dtype() + "; super-resolution networks hold floating tensors only");
            }
            floats.add(NamedTensor.ofFloats(t.name(), t.shape(), DType.FLOAT32, t.floatValues()));
        }
        return new ModelWeights(w.label(), floats);
    }

    private void loadImages(int scale, List<SrPatchSampler.Pair> pairs, List<Object> records, List<String> skipped)
            throws IOException {
        int minSide = s.data().patchSize() * scale;
        for (String uri : DenoiserTrainer.photographs(s.data(), conf, skipped)) {
            byte[] bytes = Storage.readAll(uri, conf);
            RgbImage img = GreyImage.shrunk(ImageCodec.decode(bytes, uri), s.data().maxSide());
            if (img.width() < minSide || img.height() < minSide) {
                skipped.add(uri + " (" + img.width() + "x" + img.height() + ", smaller than a " + minSide + "x"
                        + minSide + " patch)");
                continue;
            }
            pairs.add(SrPatchSampler.pair(uri, img, scale));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("uri", uri);
            r.put("sha256", Sha256.hex(bytes));
            r.put("size", img.width() + "x" + img.height());
            records.add(r);
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("dni.train.images " + s.data().images() + ": no usable photographs "
                    + "(extensions " + s.data().extensions() + ", at least " + minSide + "x" + minSide
                    + " after shrinking to max-side " + s.data().maxSide() + ")");
        }
    }

    private void writeCheckpoint(ModelWeights start, Map<String, NDArray> g, Adam adamG, Map<String, NDArray> d,
            Adam adamD, long step, String fingerprint, List<Object> curve, double seconds) throws IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : start.tensors()) {
            add(tensors, "", t.name(), t.shape(), g.get(t.name()), adamG);
        }
        for (Map.Entry<String, NDArray> e : d.entrySet()) {
            add(tensors, D, e.getKey(), DenoiserTrainer.toInt(e.getValue().getShape().getShape()), e.getValue(),
                    adamD);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dni.train.fingerprint", fingerprint);
        meta.put("dni.train.step", Long.toString(step));
        meta.put("dni.train.seconds", Double.toString(seconds));
        meta.put("dni.train.curve", new ObjectMapper().writeValueAsString(curve));
        Storage.writeAtomically(checkpointFile(), Safetensors.write(new ModelWeights("checkpoint", tensors), meta),
                conf);
        log.accept("train: checkpoint at step " + step + " in " + checkpointFile());
    }

    private static void add(List<NamedTensor> tensors, String prefix, String name, int[] shape, NDArray value,
            Adam adam) {
        tensors.add(NamedTensor.ofFloats(prefix + name, shape, DType.FLOAT32, value.toFloatArray()));
        tensors.add(NamedTensor.ofFloats("adam.m/" + prefix + name, shape, DType.FLOAT32,
                adam.first.get(name).toFloatArray()));
        tensors.add(NamedTensor.ofFloats("adam.v/" + prefix + name, shape, DType.FLOAT32,
                adam.second.get(name).toFloatArray()));
    }

    private Map<String, Object> publish(CommandRun run, LoadedModel parent, ModelWeights weights, String fingerprint, Instant started, double seconds, List<Object> imageRecords, List<String> skipped,
            List<Object> curve, String architecture, int scale) throws IOException {
        String paramUri = null;
        for (String uri : parent.files().keySet()) {
            if (uri.endsWith(".param")) {
                paramUri = uri;
            }
        }
        List<String> files = new ArrayList<>(List.of(out() + ".safetensors", out() + ".pth"));
        if (paramUri != null) {
            files.addAll(List.of(out() + ".param", out() + ".bin"));
        }
        files.add(out() + ".json");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("output", files);
        summary.put("architecture", architecture);
        summary.put("task", "super-resolution x" + scale + ", MATLAB bicubic low-resolution patches");
        summary.put("loss", sr.loss().name().toLowerCase(Locale.ROOT));
        summary.put("fingerprint", fingerprint);
        Map<String, Object> parentEntry = new LinkedHashMap<>();
        parentEntry.put("reference", parent.reference());
        parentEntry.put("format", parent.format());
        parentEntry.put("files", parent.files());
        summary.put("parent", parentEntry);
        DenoiserTrainer.runFacts(summary, s, imageRecords, skipped, weights, seconds, curve);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("train_seconds", seconds);
        RunManifest manifest = run.manifest().started(started)
                .models(org.dnispark.models.ModelSet.of(List.of(parent), false).describe())
                .detail("architecture", architecture).summary(summary).timings(timings)
                .config(JSON.readTree(s.storage().renderedConfig())).build();
        Map<String, Object> trainMeta = new LinkedHashMap<>();
        trainMeta.put("fingerprint", fingerprint);
        trainMeta.put("architecture", architecture);
        trainMeta.put("loss", sr.loss().name().toLowerCase(Locale.ROOT));
        trainMeta.put("steps", s.schedule().steps());
        Map<String, String> stMeta = new LinkedHashMap<>();
        stMeta.put("dni.train", new ObjectMapper().writeValueAsString(trainMeta));
        // the model files first, the provenance last: a .json means the run finished
        DenoiserTrainer.writeStateDict(out(), weights, stMeta, conf);
        if (paramUri != null) {
            NcnnModel like = new NcnnModel(parent.graph(), parent.weights());
            // each tensor in the parent's storage precision (fp16 for Real-ESRGAN's exports), so that the two
            // interpolate as a pair; the .safetensors keeps the exact fp32 values
            ModelWeights parentDict = RrdbNet.fromNcnn(like);
            List<NamedTensor> stored = new ArrayList<>();
            for (NamedTensor t : weights.tensors()) {
                stored.add(NamedTensor.ofFloats(t.name(), t.shape(), parentDict.get(t.name()).dtype(),
                        t.floatValues()));
            }
            Storage.writeAtomically(out() + ".param", Storage.readAll(paramUri, conf), conf);
            Storage.writeAtomically(out() + ".bin", NcnnModel.writeBin(parent.graph(), RrdbNet.toNcnn(
                    new ModelWeights(weights.label(), stored), like)), conf);
        }
        run.publish(manifest);
        if (Storage.exists(checkpointFile(), conf)) {
            Storage.delete(checkpointFile(), conf);
        }
        log.accept(String.format(Locale.ROOT, "train: wrote %s (%.0f s)", out() + ".safetensors", seconds));
        return summary;
    }
}
