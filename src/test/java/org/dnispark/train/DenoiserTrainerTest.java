package org.dnispark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigFactory;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.SettingsException;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short real training runs on the demo photographs (demo/images): the loss falls, fine-tuning keeps the filters in
 * their order while a second from-scratch model does not, and an interrupted run resumes to the same weights.
 */
class DenoiserTrainerTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static TrainSettings settings(String extra) {
        return TrainSettings.from(ConfigLoader.resolve(ConfigFactory.parseString(
                "dni.train { images = [\"demo/images\"], patch-size = 24, batch-size = 8, log-every = 10,\n"
                        + " torch-threads = 1, srcnn { kernels = [9, 1, 9], filters = [16, 8] },\n"
                        + " dncnn { depth = 4, features = 8 } }\n" + extra)));
    }

    static double loss(Map<String, Object> summary, int point) {
        List<?> curve = (List<?>) summary.get("curve");
        int i = point < 0 ? curve.size() + point : point;
        return ((Number) ((Map<?, ?>) curve.get(i)).get("loss")).doubleValue();
    }

    static ModelWeights model(String prefix) throws IOException {
        return Safetensors.read(Files.readAllBytes(Path.of(prefix + ".safetensors")), prefix).weights;
    }

    @Test
    void srcnnLossFallsAndTheModelIsWrittenInBothFormats() throws IOException {
        String out = dir.resolve("srcnn-n20").toString();
        List<String> lines = new ArrayList<>();
        Map<String, Object> summary = DenoiserTrainer.run(settings("dni.train { output = \"" + out + "\", steps = 120,"
                + " sigma = 20 }"), lines::add);
        assertTrue(loss(summary, -1) < 0.5 * loss(summary, 0), "loss " + loss(summary, 0) + " -> "
                + loss(summary, -1));
        assertTrue(lines.stream().anyMatch(l -> l.contains("patches/s") && l.contains("step 120/120")), lines.toString());
        ModelWeights st = model(out);
        ModelWeights pth = PyTorchCheckpoint.read(Files.readAllBytes(Path.of(out + ".pth")), out).weights;
        assertEquals(st, pth);
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias"),
                st.names());
        assertTrue(Files.exists(Path.of(out + ".json")));
        assertFalse(Files.exists(Path.of(out + ".checkpoint.safetensors")));
    }

    @Test
    void dncnnWithBatchNormLossFalls() throws IOException {
        String out = dir.resolve("dncnn-n20").toString();
        Map<String, Object> summary = DenoiserTrainer.run(settings("dni.train { output = \"" + out + "\", steps = 60,"
                + " sigma = 25, architecture = dncnn }"), l -> { });
        assertTrue(loss(summary, -1) < 0.8 * loss(summary, 0), "loss " + loss(summary, 0) + " -> "
                + loss(summary, -1));
        ModelWeights w = model(out);
        NamedTensor tracked = w.get("model.3.num_batches_tracked");
        assertEquals(60L, tracked.longValues()[0]);
        // running statistics moved away from their initial 0 / 1
        assertTrue(Math.abs(w.get("model.3.running_mean").floatValues()[0]) > 1e-4);
    }

    /** Share of filters whose most correlated filter in {@code b} is the one at the same index. */
    static double keptOrder(NamedTensor a, NamedTensor b) {
        int filters = a.shape()[0];
        int len = a.size() / filters;
        int kept = 0;
        for (int i = 0; i < filters; i++) {
            int best = -1;
            double bestRho = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < filters; j++) {
                double rho = FilterCorrelation.pearson(a.floatValues(), i * len, b.floatValues(), j * len, len);
                if (rho > bestRho) {
                    bestRho = rho;
                    best = j;
                }
            }
            kept += best == i ? 1 : 0;
        }
        return (double) kept / filters;
    }

    @Test
    void fineTunedFiltersKeepTheirOrderAndScratchModelsDoNot() throws IOException {
        String n20 = dir.resolve("order-n20").toString();
        String n50 = dir.resolve("order-n50").toString();
        String other = dir.resolve("order-n20-other-seed").toString();
        DenoiserTrainer.run(settings("dni.train { output = \"" + n20 + "\", steps = 150, sigma = 20 }"), l -> { });
        Map<String, Object> ft = DenoiserTrainer.run(settings("dni.train { output = \"" + n50 + "\", steps = 60, "
                + "sigma = 50, learning-rate = 3e-4, init-from = \"" + n20 + ".safetensors\" }"), l -> { });
        DenoiserTrainer.run(settings("dni.seed = 7\ndni.train { output = \"" + other + "\", steps = 150, sigma = 20 }"),
                l -> { });
        ModelWeights a = model(n20);
        ModelWeights b = model(n50);
        ModelWeights c = model(other);
        assertTrue(((Map<?, ?>) ft.get("parent")).get("reference").toString().endsWith("order-n20.safetensors"));
        double fineTuned = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(a, b));
        double scratch = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(a, c));
        assertTrue(fineTuned >= 0.689, "fine-tuned pair " + fineTuned);
        assertTrue(scratch < fineTuned - 0.4, "from-scratch pair " + scratch + " vs fine-tuned " + fineTuned);
        assertTrue(keptOrder(a.get("conv1.weight"), b.get("conv1.weight")) >= 0.9);
        assertTrue(keptOrder(a.get("conv1.weight"), c.get("conv1.weight")) < 0.5);
        // and the fine-tuned model really changed
        assertFalse(a.equals(b));
    }

    @Test
    void anInterruptedRunResumesToTheSameWeights() throws IOException {
        String full = dir.resolve("resume-full").toString();
        String cut = dir.resolve("resume-cut").toString();
        String arch = "architecture = dncnn, steps = 40, checkpoint-every = 20, sigma = 30";
        DenoiserTrainer.run(settings("dni.train { output = \"" + full + "\", " + arch + " }"), l -> { });
        assertThrows(DenoiserTrainer.Stopped.class, () -> DenoiserTrainer.runUntil(settings(
                "dni.train { output = \"" + cut + "\", " + arch + " }"), l -> { }, 25));
        assertTrue(Files.exists(Path.of(cut + ".checkpoint.safetensors")));
        assertFalse(Files.exists(Path.of(cut + ".safetensors")));
        // the default policy refuses to touch the unfinished run
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DenoiserTrainer.run(
                settings("dni.train { output = \"" + cut + "\", " + arch + " }"), l -> { }));
        assertTrue(refused.getMessage().contains("if-exists = resume"), refused.getMessage());
        // a tampered checkpoint is refused by name before anything is built (and the run is not published)
        Path ckpt = Path.of(cut + ".checkpoint.safetensors");
        byte[] original = Files.readAllBytes(ckpt);
        org.dnispark.formats.Safetensors.Loaded loaded = org.dnispark.formats.Safetensors.read(original, "c");
        java.util.Map<String, String> beyond = new java.util.LinkedHashMap<>(loaded.metadata);
        beyond.put("dni.train.step", "1000");
        List<NamedTensor> poisoned = new ArrayList<>();
        for (NamedTensor t : loaded.weights.tensors()) {
            float[] v = t.floatValues().clone();
            if (t.name().startsWith("adam.v/")) {
                v[0] = Float.NaN;
            }
            poisoned.add(NamedTensor.ofFloats(t.name(), t.shape(), t.dtype(), v));
        }
        for (Object[] c : new Object[][] {
            {org.dnispark.formats.Safetensors.write(loaded.weights, beyond), "dni.train.step is 1000"},
            {org.dnispark.formats.Safetensors.write(new ModelWeights("c", poisoned), loaded.metadata), "NaN"}}) {
            Files.write(ckpt, (byte[]) c[0]);
            IllegalArgumentException tampered = assertThrows(IllegalArgumentException.class, () -> DenoiserTrainer
                    .run(settings("dni.output.if-exists = resume\ndni.train { output = \"" + cut + "\", " + arch
                            + " }"), l -> { }));
            assertTrue(tampered.getMessage().contains(ckpt.toString()) && tampered.getMessage().contains((String) c[1]),
                    tampered.getMessage());
            assertFalse(Files.exists(Path.of(cut + ".safetensors")));
        }
        Files.write(ckpt, original);
        List<String> lines = new ArrayList<>();
        DenoiserTrainer.run(settings("dni.output.if-exists = resume\ndni.train { output = \"" + cut + "\", " + arch
                + " }"), lines::add);
        assertTrue(lines.get(0).contains("resuming") && lines.get(0).contains("step 20"), lines.toString());
        ModelWeights a = model(full);
        ModelWeights b = model(cut);
        for (NamedTensor t : a.tensors()) {
            if (t.dtype().isFloating()) {
                assertArrayEquals(t.floatValues(), b.get(t.name()).floatValues(), 1e-6f, t.name());
            } else {
                assertArrayEquals(t.longValues(), b.get(t.name()).longValues(), t.name());
            }
        }
        // a finished run of the same configuration is left as it is under resume
        List<String> again = new ArrayList<>();
        DenoiserTrainer.run(settings("dni.output.if-exists = resume\ndni.train { output = \"" + cut + "\", " + arch
                + " }"), again::add);
        assertTrue(again.get(0).contains("already complete"), again.toString());
    }

    @Test
    void badSettingsAndParentsAreRejectedWithTheirNames() throws IOException {
        SettingsException e = assertThrows(SettingsException.class, () -> settings("dni.train.architecture = vgg"));
        assertTrue(e.getMessage().contains("dni.train.architecture"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> settings("dni.train.srcnn.init = xavier"));
        assertTrue(e.getMessage().contains("dni.train.srcnn.init") && e.getMessage().contains("he or srcnn"),
                e.getMessage());
        assertTrue(settings("dni.train.srcnn.init = srcnn").architecture().describe().contains("SRCNN init"));
        e = assertThrows(SettingsException.class, () -> settings("dni.train.device = tpu"));
        assertTrue(e.getMessage().contains("dni.train.device"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> settings("dni.train.sigma = -5"));
        assertTrue(e.getMessage().contains("dni.train.sigma"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> TrainSettings.from(ConfigLoader.resolve(
                ConfigFactory.parseString("dni.train.output = x"))));
        assertTrue(e.getMessage().contains("dni.train.images"), e.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> DenoiserTrainer.run(
                settings("dni.train { output = \"" + dir.resolve("x") + "\", exclude = [camera], steps = 1 }"),
                l -> { }));
        assertTrue(missing.getMessage().contains("dni.train.exclude") && missing.getMessage().contains("camera"),
                missing.getMessage());

        String dncnn = dir.resolve("parent-dncnn").toString();
        DenoiserTrainer.run(settings("dni.train { output = \"" + dncnn + "\", steps = 2, architecture = dncnn }"),
                l -> { });
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> DenoiserTrainer.run(
                settings("dni.train { output = \"" + dir.resolve("y") + "\", steps = 2, init-from = \"" + dncnn
                        + ".safetensors\" }"), l -> { }));
        assertTrue(wrong.getMessage().contains("init-from") && wrong.getMessage().contains("conv1.weight missing"),
                wrong.getMessage());
        assertFalse(Files.exists(dir.resolve("y.safetensors")));

        // fine-tuning into the parent's own name would replace the parent: refused by the commands' output guard,
        // even when told to overwrite, and the parent is left as it was
        byte[] parentBytes = Files.readAllBytes(Path.of(dncnn + ".safetensors"));
        IllegalArgumentException intoParent = assertThrows(IllegalArgumentException.class, () -> DenoiserTrainer.run(
                settings("dni.output.if-exists = overwrite\ndni.train { output = \"" + dncnn + "\", steps = 2, "
                        + "architecture = dncnn, init-from = \"" + dncnn + ".safetensors\" }"), l -> { }));
        assertTrue(intoParent.getMessage().contains("dni.train.output") && intoParent.getMessage().contains(
                "parent model"), intoParent.getMessage());
        assertArrayEquals(parentBytes, Files.readAllBytes(Path.of(dncnn + ".safetensors")));
    }
}
