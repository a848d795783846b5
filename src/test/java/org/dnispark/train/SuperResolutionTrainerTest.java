package org.dnispark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.typesafe.config.ConfigFactory;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.SettingsException;
import org.dnispark.core.DType;
import org.dnispark.core.FilterCorrelation;
import org.dnispark.core.HalfFloats;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.runtime.Engines;
import org.dnispark.arch.RrdbNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short real super-resolution fine-tuning runs on the demo photographs: L1 fine-tuning of a small RRDBNet lowers its
 * loss and keeps its filters in their order; GAN fine-tuning of a small SRVGGNetCompact trains both networks and
 * resumes to the same weights; Real-ESRGAN's ncnn RRDBNet fine-tunes and comes back as .param/.bin holding exactly
 * the weights of the .safetensors, in the parent's storage precision.
 */
class SuperResolutionTrainerTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static TrainSettings settings(String arch, String parent, String output, String extra) {
        return TrainSettings.from(ConfigLoader.resolve(ConfigFactory.parseString(
                "dni.train { images = [\"demo/images\"], patch-size = 8, batch-size = 4, log-every = 5,\n"
                        + " torch-threads = 1, learning-rate = 1e-3, architecture = " + arch + ", init-from = \""
                        + parent + "\", output = \"" + output + "\" }\n" + extra)));
    }

    /** A random state dict with {@code names} and {@code shapes}, weights N(0, (1/fan_in)) and small biases. */
    static Path randomModel(Path folder, String file, List<String> names, List<int[]> shapes, long seed)
            throws IOException {
        Random rnd = new Random(seed);
        List<NamedTensor> t = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            int[] s = shapes.get(i);
            int n = 1;
            for (int d : s) {
                n *= d;
            }
            float[] v = new float[n];
            double std = s.length == 4 ? Math.sqrt(1.0 / (s[1] * s[2] * s[3])) : 0.01;
            for (int k = 0; k < n; k++) {
                v[k] = names.get(i).endsWith("body.1.weight") || names.get(i).matches("body\\.\\d*[13579]\\.weight")
                        ? 0.25f : (float) (std * rnd.nextGaussian());
            }
            t.add(NamedTensor.ofFloats(names.get(i), s, DType.FLOAT32, v));
        }
        Path p = folder.resolve(file);
        Files.write(p, Safetensors.write(new ModelWeights(file, t), Map.of()));
        return p;
    }

    /** RRDBNet x4 with num_feat 8, num_grow_ch 4 and one block, BasicSR keys. */
    static Path tinyRrdb(String file, long seed) throws IOException {
        return tinyRrdb(dir, file, seed);
    }

    static Path tinyRrdb(Path folder, String file, long seed) throws IOException {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        conv(names, shapes, "conv_first", 3, 8);
        for (int r = 1; r <= 3; r++) {
            for (int c = 1; c <= 5; c++) {
                conv(names, shapes, "body.0.rdb" + r + ".conv" + c, 8 + 4 * (c - 1), c == 5 ? 8 : 4);
            }
        }
        for (String n : new String[] {"conv_body", "conv_up1", "conv_up2", "conv_hr"}) {
            conv(names, shapes, n, 8, 8);
        }
        conv(names, shapes, "conv_last", 8, 3);
        return randomModel(folder, file, names, shapes, seed);
    }

    /** SRVGGNetCompact x4 with num_feat 8 and num_conv 2. */
    static Path tinySrvgg(String file, long seed) throws IOException {
        return tinySrvgg(dir, file, seed);
    }

    static Path tinySrvgg(Path folder, String file, long seed) throws IOException {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        int[] outs = {8, 8, 8, 48};
        int in = 3;
        for (int i = 0; i < 4; i++) {
            conv(names, shapes, "body." + 2 * i, in, outs[i]);
            if (i < 3) {
                names.add("body." + (2 * i + 1) + ".weight");
                shapes.add(new int[] {8});
            }
            in = outs[i];
        }
        return randomModel(folder, file, names, shapes, seed);
    }

    private static void conv(List<String> names, List<int[]> shapes, String name, int in, int out) {
        names.add(name + ".weight");
        shapes.add(new int[] {out, in, 3, 3});
        names.add(name + ".bias");
        shapes.add(new int[] {out});
    }

    static ModelWeights model(String prefix) throws IOException {
        return Safetensors.read(Files.readAllBytes(Path.of(prefix + ".safetensors")), prefix).weights;
    }

    @Test
    void l1FineTuningLowersTheLossAndKeepsTheFiltersInTheirOrder() throws IOException {
        Path parent = tinyRrdb("rrdb-parent.safetensors", 1);
        Path stranger = tinyRrdb("rrdb-stranger.safetensors", 2);
        String out = dir.resolve("rrdb-l1").toString();
        List<String> lines = new ArrayList<>();
        Map<String, Object> summary = DenoiserTrainer.run(settings("rrdbnet", parent.toString(), out,
                "dni.train.steps = 60"), lines::add);
        double first = DenoiserTrainerTest.loss(summary, 0);
        double last = DenoiserTrainerTest.loss(summary, -1);
        assertTrue(last < 0.6 * first, "L1 " + first + " -> " + last);
        assertTrue(lines.stream().anyMatch(l -> l.contains("step 60/60") && l.contains("patches/s")), lines.toString());
        assertEquals("RRDBNet(scale=4, num_feat=8, num_block=1, num_grow_ch=4)", summary.get("architecture"));
        ModelWeights a = Safetensors.read(Files.readAllBytes(parent), "parent").weights;
        ModelWeights b = model(out);
        ModelWeights c = Safetensors.read(Files.readAllBytes(stranger), "stranger").weights;
        assertEquals(a.names(), b.names());
        assertEquals(b, PyTorchCheckpoint.read(Files.readAllBytes(Path.of(out + ".pth")), out).weights);
        assertFalse(a.equals(b));
        assertTrue(DenoiserTrainerTest.keptOrder(a.get("conv_first.weight"), b.get("conv_first.weight")) >= 0.9);
        assertTrue(DenoiserTrainerTest.keptOrder(c.get("conv_first.weight"), b.get("conv_first.weight")) < 0.5);
        double fineTuned = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(a, b));
        double unrelated = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(c, b));
        assertTrue(fineTuned >= 0.689, "fine-tuned pair " + fineTuned);
        assertTrue(unrelated < 0.3, "unrelated pair " + unrelated);
        // no ncnn files for a state-dict parent
        assertFalse(Files.exists(Path.of(out + ".bin")));
        assertTrue(Files.exists(Path.of(out + ".json")));
    }

    @Test
    void ganFineTuningTrainsBothNetworksAndResumesToTheSameWeights() throws IOException {
        Path parent = tinySrvgg("srvgg-parent.safetensors", 3);
        String full = dir.resolve("gan-full").toString();
        String cut = dir.resolve("gan-cut").toString();
        String extra = "dni.train { steps = 12, checkpoint-every = 4, super-resolution { loss = gan, "
                + "adversarial-weight = 0.1, discriminator.features = 4 } }";
        Map<String, Object> summary = DenoiserTrainer.run(settings("srvggnet-compact", parent.toString(), full, extra),
                l -> { });
        for (Object point : (List<?>) summary.get("curve")) {
            Map<?, ?> p = (Map<?, ?>) point;
            for (String k : new String[] {"loss", "adversarial_loss", "discriminator_loss"}) {
                double v = ((Number) p.get(k)).doubleValue();
                assertTrue(Double.isFinite(v) && v > 0, k + " " + v);
            }
        }
        assertThrows(DenoiserTrainer.Stopped.class, () -> SuperResolutionTrainer.runUntil(settings("srvggnet-compact",
                parent.toString(), cut, extra), l -> { }, 6));
        ModelWeights checkpoint = Safetensors.read(Files.readAllBytes(Path.of(cut + ".checkpoint.safetensors")),
                "checkpoint").weights;
        assertTrue(checkpoint.contains("discriminator/d.0.weight") && checkpoint.contains("adam.m/discriminator/d.0"
                + ".weight") && checkpoint.contains("adam.v/body.0.weight"), checkpoint.names().toString());
        List<String> lines = new ArrayList<>();
        DenoiserTrainer.run(settings("srvggnet-compact", parent.toString(), cut, extra
                + "\ndni.output.if-exists = resume"), lines::add);
        assertTrue(lines.get(0).contains("resuming") && lines.get(0).contains("step 4"), lines.toString());
        ModelWeights a = model(full);
        ModelWeights b = model(cut);
        for (NamedTensor t : a.tensors()) {
            assertArrayEquals(t.floatValues(), b.get(t.name()).floatValues(), 1e-6f, t.name());
        }
        assertFalse(a.equals(Safetensors.read(Files.readAllBytes(parent), "parent").weights));
        assertFalse(Files.exists(Path.of(cut + ".checkpoint.safetensors")));
    }

    @Test
    void realEsrgansNcnnModelFineTunesAndIsWrittenBackExactly() throws IOException {
        String out = dir.resolve("anime-l1").toString();
        Map<String, Object> summary = DenoiserTrainer.run(TrainSettings.from(ConfigLoader.resolve(
                ConfigFactory.parseString("dni.model-cache = \"" + TestModels.cache() + "\"\n"
                        + "dni.train { images = [\"demo/images\"], patch-size = 12, batch-size = 1, steps = 2, "
                        + "torch-threads = 1, learning-rate = 1e-4, architecture = rrdbnet, output = \"" + out
                        + "\", init-from = \"waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime\" }"))),
                l -> { });
        assertEquals("RRDBNet(scale=4, num_feat=64, num_block=6, num_grow_ch=32)", summary.get("architecture"));
        ModelWeights st = model(out);
        String param = Files.readString(Path.of(out + ".param"), StandardCharsets.UTF_8);
        NcnnModel back = NcnnModel.read(param, Files.readAllBytes(Path.of(out + ".bin")), out);
        ModelWeights fromBin = RrdbNet.fromNcnn(back);
        assertEquals(st.names(), fromBin.names());
        ModelWeights parentDict = RrdbNet.fromNcnn(TestModels.read(TestModels.cache().resolve(
                "waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime")));
        for (NamedTensor t : st.tensors()) {
            // the .bin stores each tensor as the parent did (fp16 weights, fp32 biases): exactly the rounded values
            DType stored = parentDict.get(t.name()).dtype();
            assertEquals(stored, fromBin.get(t.name()).dtype(), t.name());
            float[] expected = t.floatValues().clone();
            if (stored == DType.FLOAT16) {
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = HalfFloats.halfToFloat(HalfFloats.floatToHalf(expected[i]));
                }
            }
            assertArrayEquals(expected, fromBin.get(t.name()).floatValues(), 0f, t.name());
        }
        // the .param is the parent's, unchanged
        assertEquals(Files.readString(TestModels.cache().resolve(
                "waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime.param")), param);
        NcnnModel parent = TestModels.read(TestModels.cache().resolve(
                "waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime"));
        assertFalse(RrdbNet.fromNcnn(parent).get("conv_first.weight").equals(st.get("conv_first.weight")));
    }

    @Test
    void superResolutionSettingsAndParentsAreCheckedWithTheirNames() throws IOException {
        SettingsException e = assertThrows(SettingsException.class, () -> settings("rrdbnet", "", "x", ""));
        assertTrue(e.getMessage().contains("dni.train.init-from"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> settings("rrdbnet", "p", "x",
                "dni.train.super-resolution.loss = perceptual"));
        assertTrue(e.getMessage().contains("dni.train.super-resolution.loss"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> settings("rrdbnet", "p", "x",
                "dni.train.super-resolution { loss = gan, l1-weight = 0, adversarial-weight = 0 }"));
        assertTrue(e.getMessage().contains("adversarial-weight"), e.getMessage());
        Path vgg = tinySrvgg("srvgg-wrong.safetensors", 4);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> DenoiserTrainer.run(
                settings("rrdbnet", vgg.toString(), dir.resolve("wrong").toString(), "dni.train.steps = 1"),
                l -> { }));
        assertTrue(wrong.getMessage().contains("SRVGGNetCompact") && wrong.getMessage().contains("rrdbnet"),
                wrong.getMessage());
        assertFalse(Files.exists(dir.resolve("wrong.safetensors")));
    }
}
