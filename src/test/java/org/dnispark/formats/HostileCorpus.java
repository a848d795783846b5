package org.dnispark.formats;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.HostileFormatsTest.Pickle;
import org.dnispark.models.ModelPolicy;
import org.dnispark.models.ModelStore;

/**
 * Runs the hostile model corpus through the reader every command uses (the model store) and prints, per case, the
 * time to its error and the heap it peaked at, then the worst case. Run by jobs/bench-hostile.sh in a JVM with the
 * heap of a small executor. (Hostile images go through a real job in HostileInputTest.)
 */
public final class HostileCorpus {
    private HostileCorpus() {
    }

    interface Case {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        // the corpus stays in the folder given as an argument (to replay it against other code), else in a temp folder
        Path dir = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("dni-hostile");
        Map<String, Case> cases = new LinkedHashMap<>();
        ModelStore store = new ModelStore(dir.toString(), new Configuration(), ModelPolicy.DEFAULT);

        Pickle laughs = new Pickle().op(0x80, 2, ']').memoPut(0);
        for (int i = 0; i < 40; i++) {
            laughs.op('(').memoGet(i).memoGet(i).op('l').memoPut(i + 1);
        }
        laughs.op('}').memoGet(40).string("x").op('s', '.');
        cases.put("billion laughs (.pth)", model(store, dir, "laughs.pth", HostileFormatsTest.pth(laughs.bytes(),
                Map.of())));
        byte[] self = new Pickle().op(0x80, 2, ']').memoPut(0).memoGet(0).op('a', '.').bytes();
        cases.put("self-referential pickle", model(store, dir, "self.pth", HostileFormatsTest.pth(self, Map.of())));
        Pickle deep = new Pickle().op(0x80, 2);
        for (int i = 0; i < 1_000_000; i++) {
            deep.op(']');
        }
        for (int i = 0; i < 1_000_000 - 1; i++) {
            deep.op('a');
        }
        cases.put("1M-deep nesting", model(store, dir, "deep.pth", HostileFormatsTest.pth(deep.op('.').bytes(),
                Map.of())));
        Pickle many = new Pickle().op(0x80, 2, ']');
        for (int i = 0; i < 3_000_000; i++) {
            many.op('N', 'a');
        }
        cases.put("3M-object pickle", model(store, dir, "many.pth", HostileFormatsTest.pth(many.op('.').bytes(),
                Map.of())));
        byte[] overflow = new Pickle().stateDict().tensor("w", 4, 0, new long[] {2, 3},
                new long[] {Long.MAX_VALUE / 2, 1}).op('u', '.').bytes();
        cases.put("stride overflow", model(store, dir, "stride.pth", HostileFormatsTest.pth(overflow,
                Map.of("0", new byte[16]))));
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1900; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        cases.put("zip bomb (" + bomb.size() / 1024 + " KB -> 1.9 GB)", model(store, dir, "bomb.pth",
                bomb.toByteArray()));
        ModelWeights w = new ModelWeights("w", List.of(NamedTensor.ofFloats("conv.weight", new int[] {2},
                DType.FLOAT32, new float[] {1, Float.NaN})));
        cases.put("NaN weights (safetensors)", model(store, dir, "nan.safetensors", Safetensors.write(w, Map.of())));
        byte[] good = PyTorchCheckpoint.write(w, "archive", null);
        cases.put("trailing bytes (.pth)", model(store, dir, "trailing.pth", Arrays.copyOf(good, good.length + 4)));
        Path ncnn = dir.resolve("huge");
        Files.writeString(Path.of(ncnn + ".param"), "7767517\n2 2\nInput input 0 1 data\n"
                + "Convolution conv 1 1 data out 0=1 1=1 5=0 6=2000000000\n");
        Files.write(Path.of(ncnn + ".bin"), new byte[12]);
        cases.put("ncnn count of 2e9 weights, 12-byte .bin", () -> store.load(ncnn.toString()));
        Path fifo = dir.resolve("fifo.pth");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        cases.put("FIFO as a model", () -> store.load(fifo.toString()));
        addSecondRound(cases, dir, store);
        long budget = Runtime.getRuntime().maxMemory();
        System.out.printf("%-50s %10s %12s  %s%n", "case", "ms", "peak heap", "error");
        long worstMs = 0;
        long worstHeap = 0;
        for (Map.Entry<String, Case> c : cases.entrySet()) {
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            String error;
            try {
                c.getValue().run();
                error = "ACCEPTED (no error)";
            } catch (Exception | StackOverflowError e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long peak = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    peak += p.getPeakUsage().getUsed();
                }
            }
            worstMs = Math.max(worstMs, ms);
            worstHeap = Math.max(worstHeap, peak);
            error = error.replace(dir.toString(), "<corpus>");
            String shown = error.length() > 160 ? error.substring(0, 160) + "..." : error;
            System.out.printf("%-50s %10d %9d MiB  %s%n", c.getKey(), ms, peak >> 20, shown.replace('\n', ' '));
        }
        System.out.printf("worst case: %d ms to a clear error (goal < 30000), peak heap %d MiB of a %d MiB heap%n",
                worstMs, worstHeap >> 20, budget >> 20);
    }

    /**
     * The surfaces the second hardening round covered (issue 28): ONNX files, run folders for report, niqe's images,
     * alignment's size, configuration includes, trusted TorchScript code. Commands run as jobs/dni runs them
     * ({@code Main.run}); a case fails with what the command printed, or passes silently if it was accepted.
     */
    static void addSecondRound(Map<String, Case> cases, Path dir, ModelStore store) throws Exception {
        byte[] custom = OnnxModelTest.model("com.example.custom", OnnxModelTest.weight()).build();
        cases.put("ONNX: custom operator domain", model(store, dir, "custom.onnx", custom));
        OnnxModelTest.Pb overlong = new OnnxModelTest.Pb().varint(1, 1_000_000).varint(2, 1).string(8, "w")
                .bytes(9, OnnxModelTest.floats(1, 2));
        cases.put("ONNX: initializer claims 4 MB, holds 8 bytes", model(store, dir, "overlong.onnx",
                OnnxModelTest.model("", overlong).build()));
        byte[] good = OnnxModelTest.model("", OnnxModelTest.weight()).build();
        cases.put("ONNX: truncated inside an initializer", model(store, dir, "cut.onnx", Arrays.copyOf(good,
                good.length - 5)));
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("manifest.json"), "{\"job\":\"sweep\",\"output\":\"x\"}");
        Files.writeString(run.resolve("_SUCCESS"), "");
        Path outside = Files.writeString(dir.resolve("outside.json"), "{\"per_coefficient\":[]}");
        Files.createSymbolicLink(run.resolve("summary.json"), outside);
        Path page = dir.resolve("page.html");
        cases.put("report: summary.json linked out of the run", command("report", run.toString(), "--output",
                page.toString()));
        Path huge = Files.createDirectories(dir.resolve("huge-run"));
        Files.writeString(huge.resolve("manifest.json"), "{\"job\":\"sweep\",\"output\":\"x\"}");
        Files.writeString(huge.resolve("_SUCCESS"), "");
        Files.writeString(huge.resolve("summary.json"), "{\"per_coefficient\":[{\"alpha\":0,\"mean_psnr_y\":1e308}]}");
        cases.put("report: a number no chart can draw", command("report", huge.toString(), "--output",
                page.toString()));
        Path images = Files.createDirectories(dir.resolve("images"));
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 64,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", images.resolve("a.png").toFile());
        cases.put("niqe: output over an image it scores", command("niqe", "dni.niqe.pristine=[\"" + images + "\"]",
                "dni.niqe.images=[\"" + images + "\"]", "dni.niqe.output=\"" + images.resolve("a.png") + "\""));
        cases.put("niqe: image over its pixel budget", command("niqe", "dni.niqe.pristine=[\"" + images + "\"]",
                "dni.niqe.images=[\"" + images + "\"]", "dni.niqe.max-pixels=100"));
        Path conf = dir.resolve("include-device.conf");
        Files.writeString(conf, "include file(\"/dev/zero\")\n");
        cases.put("config: include of a device", command("correlate", "--config", conf.toString()));
        int n = org.dnispark.align.WeightMatching.MAX_GROUP_CHANNELS * 4;
        ModelWeights wide = new ModelWeights("wide", List.of(
                NamedTensor.ofFloats("a.weight", new int[] {n, 1, 1, 1}, DType.FLOAT32, new float[n]),
                NamedTensor.ofFloats("b.weight", new int[] {1, n, 1, 1}, DType.FLOAT32, new float[n])));
        cases.put("align: " + n + " channels in one group", () -> org.dnispark.align.WeightMatching.align(wide, wide,
                new org.dnispark.align.PermutationSpec.Builder("wide", wide).chain("a", List.of("a.weight"),
                        List.of("b.weight")).build(), 100, 1));
        cases.put("trusted TorchScript: torch . from_file", () -> {
            List<String> refused = TorchScriptCode.refusals(Map.of("code/x.py",
                    "def f(x):\n  _0 = torch . from_file(\"/etc/passwd\", True, 16)\n  for i in range(int(torch.max(x))):\n    pass\n"
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("refused: " + refused);
            }
        });
    }

    /** A jobs/dni command as a case: it fails with the command's exit code and what it printed on stderr. */
    static Case command(String... args) {
        return () -> {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            int code;
            System.setErr(new java.io.PrintStream(err, true, "UTF-8"));
            try {
                code = org.dnispark.cli.MainAccess.run(args);
            } finally {
                System.setErr(old);
            }
            if (code != 0) {
                throw new IllegalArgumentException("exit " + code + ": " + err.toString("UTF-8").trim());
            }
        };
    }

    static Case model(ModelStore store, Path dir, String name, byte[] bytes) throws java.io.IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return () -> store.load(file.toString());
    }
}
