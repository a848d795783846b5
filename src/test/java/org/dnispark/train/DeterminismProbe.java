package org.dnispark.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.Waifu2xJson;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.provenance.Sha256;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.TiledPredictor;

/**
 * SHA-256 digests of what seeded work computes: each trainer's test configuration run whole and interrupted then
 * resumed, and the inference output of every built-in architecture and of the ncnn runtime on a photograph crop.
 * {@link DeterminismTest} compares them across runs in one JVM and against a second JVM, which runs {@link #main}.
 * Needs the project folder as working directory (demo/images) and the model cache.
 */
public final class DeterminismProbe {
    private DeterminismProbe() {
    }

    /**
     * Prints one {@code digest <name> <sha256>} line per item; {@code args[0]} is a scratch folder. With a second
     * argument, one training configuration of {@link #TRAINING} only (jobs/stress-train.sh), which prints
     * {@code digest <name> <sha256>} or {@code diverged <name> <message>}.
     */
    public static void main(String[] args) throws IOException {
        Engines.configure(1);
        if (args.length == 2) {
            try {
                System.out.println("digest " + args[1] + " " + train(Path.of(args[0]), args[1], false));
            } catch (IllegalStateException e) {
                System.out.println("diverged " + args[1] + " " + e.getMessage());
            }
            return;
        }
        for (Map.Entry<String, String> e : digests(Path.of(args[0])).entrySet()) {
            System.out.println("digest " + e.getKey() + " " + e.getValue());
        }
    }

    /** Every digest, in a fixed order; {@code work} must be empty or absent. */
    static Map<String, String> digests(Path work) throws IOException {
        Files.createDirectories(work);
        Map<String, String> d = new LinkedHashMap<>();
        training(work, d);
        inference(d);
        return d;
    }

    /** The trainers' test configurations, by name. */
    static final java.util.List<String> TRAINING = java.util.List.of("denoiser-srcnn", "denoiser-dncnn",
            "sr-rrdbnet-l1", "sr-srvggnet-gan");

    static void training(Path work, Map<String, String> d) throws IOException {
        for (String config : TRAINING) {
            d.put("train/" + config, train(work, config, false));
            d.put("train/" + config + "+resume", train(work, config, true));
        }
    }

    /**
     * Runs one training configuration into {@code work} and returns the digest of its weights; {@code resumed}:
     * interrupted after a checkpoint, then resumed to the end.
     */
    static String train(Path work, String config, boolean resumed) throws IOException {
        String out = work.resolve(config + (resumed ? "-cut" : "")).toString();
        if (config.startsWith("denoiser-")) {
            String arch = config.equals("denoiser-srcnn") ? "architecture = srcnn, steps = 16, checkpoint-every = 8, "
                    + "sigma = 25" : "architecture = dncnn, steps = 16, checkpoint-every = 8, sigma = 30";
            String conf = "dni.train { output = \"" + out + "\", " + arch + " }";
            if (resumed) {
                try {
                    DenoiserTrainer.runUntil(DenoiserTrainerTest.settings(conf), l -> { }, 11);
                } catch (DenoiserTrainer.Stopped expected) {
                    // the checkpoint of step 8 is what the resumed run starts from
                }
                conf = "dni.output.if-exists = resume\n" + conf;
            }
            DenoiserTrainer.run(DenoiserTrainerTest.settings(conf), l -> { });
            return digest(DenoiserTrainerTest.model(out));
        }
        boolean rrdb = config.equals("sr-rrdbnet-l1");
        if (!rrdb && !config.equals("sr-srvggnet-gan")) {
            throw new IllegalArgumentException("unknown configuration " + config + "; expected one of " + TRAINING);
        }
        Files.createDirectories(work);
        Path parent = rrdb ? SuperResolutionTrainerTest.tinyRrdb(work, "rrdb-parent.safetensors", 1)
                : SuperResolutionTrainerTest.tinySrvgg(work, "srvgg-parent.safetensors", 3);
        String arch = rrdb ? "rrdbnet" : "srvggnet-compact";
        String extra = rrdb ? "dni.train { steps = 12, checkpoint-every = 4 }"
                : "dni.train { steps = 12, checkpoint-every = 4, super-resolution { loss = gan, "
                        + "adversarial-weight = 0.1, discriminator.features = 4 } }";
        if (resumed) {
            try {
                SuperResolutionTrainer.runUntil(SuperResolutionTrainerTest.settings(arch, parent.toString(), out,
                        extra), l -> { }, 6);
            } catch (DenoiserTrainer.Stopped expected) {
                // resumes from the checkpoint of step 4
            }
            extra += "\ndni.output.if-exists = resume";
        }
        DenoiserTrainer.run(SuperResolutionTrainerTest.settings(arch, parent.toString(), out, extra), l -> { });
        return digest(SuperResolutionTrainerTest.model(out));
    }

    static void inference(Map<String, String> d) throws IOException {
        RgbImage astronaut = TestModels.readImage(TestModels.fixture("astronaut_40x36.png"));
        RgbImage small = astronaut.cropReplicate(0, 0, 24, 20);
        RgbImage chelsea = TestModels.readImage(TestModels.fixture("chelsea_32.png"));
        // one model per built-in architecture (PyTorch-made fixtures and waifu2x's vgg_7), tiled
        for (String[] c : new String[][] {{"srvgg_small_a.pth", "a"}, {"dncnn_small_a.pth", "a"},
                {"rrdb_x4_a.pth", "s"}, {"msrresnet_x4.pth", "s"}, {"srcnn_a.pth", "a"}}) {
            ModelWeights w = TestModels.pth(TestModels.fixture(c[0]));
            d.put("infer/" + ArchitectureRegistry.detect(w).name(), run(w, c[1].equals("s") ? small : astronaut, 12));
        }
        ModelWeights vgg7 = Waifu2xJson.read(Files.readAllBytes(TestModels.cache().resolve(
                "waifu2x-1.6.5/waifu2x/models_rgb/noise2_model.json")), "noise2");
        d.put("infer/" + ArchitectureRegistry.detect(vgg7).name(), run(vgg7, astronaut, 16));
        // the ncnn runtime: deconvolution (upconv_7), squeeze-excitation (Real-CUGAN, whole image), PReLU and
        // interpolation (animevideov3), and the 6-block RRDBNet graph (realesrgan-x4plus-anime)
        for (String[] c : new String[][] {
                {"waifu2x/models-upconv_7_anime_style_art_rgb/noise1_scale2.0x_model", "16"},
                {"real-cugan/models-se/up2x-conservative", "16"},
                {"real-esrgan/models/realesr-animevideov3-x2", "16"},
                {"real-esrgan/models/realesrgan-x4plus-anime", "16"}}) {
            NcnnModel m = TestModels.read(TestModels.cache().resolve("waifu2x-1.6.5/" + c[0]));
            try (TiledPredictor p = new TiledPredictor(m.graph(), Integer.parseInt(c[1]), 1, null,
                    c[0].contains("cugan"))) {
                p.setWeights(m.weights());
                d.put("infer/ncnn " + c[0].substring(c[0].lastIndexOf('/') + 1), digest(p.run(chelsea).data()));
            }
        }
    }

    static String run(ModelWeights w, RgbImage image, int tile) {
        try (TiledPredictor p = new TiledPredictor(ArchitectureRegistry.detect(w), tile, 1, null, false)) {
            p.setWeights(w);
            return digest(p.run(image).data());
        }
    }

    /** Every tensor's name, shape and exact values. */
    static String digest(ModelWeights w) {
        StringBuilder all = new StringBuilder();
        for (NamedTensor t : w.tensors()) {
            all.append(t.name()).append(java.util.Arrays.toString(t.shape())).append(':').append(t.dtype()
                    .isFloating() ? digest(t.floatValues()) : java.util.Arrays.toString(t.longValues())).append('\n');
        }
        return Sha256.hex(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String digest(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return Sha256.hex(b.array());
    }
}
