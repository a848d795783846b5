package org.dnispark.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.dnispark.TestModels;
import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.ReadLimits;
import org.dnispark.formats.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files that would run code, never end or poison results, through the one path every command reads models
 * by: the store, then the model set's choice of network.
 */
class HostileModelsTest {
    static final ModelPolicy TRUSTING = new ModelPolicy(ReadLimits.DEFAULT, true);
    @TempDir
    Path tmp;

    ModelStore store(ModelPolicy policy) {
        return new ModelStore(tmp.toString(), new Configuration(), policy);
    }

    /** ts_a.pt with one code record rewritten; everything else (tensors, pickles) as PyTorch wrote it. */
    Path rewriteCode(String name, UnaryOperator<String> edit) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(TestModels.fixture("ts_a.pt").toFile());
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("ts_a/code/__torch__.py")) {
                    data = edit.apply(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                copy.setCrc(crc.getValue());
                out.putNextEntry(copy);
                out.write(data);
                out.closeEntry();
            }
        }
        Path file = tmp.resolve(name);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    /** ts_a.pt with one more record, as PyTorch wrote the rest. */
    Path withExtraRecord(String name, String record, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(TestModels.fixture("ts_a.pt").toFile());
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(record));
            out.write(content);
            out.closeEntry();
        }
        Path file = tmp.resolve(name);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void aTorchScriptArchiveHasOneRootAndNoStrayRecords() throws IOException {
        for (String[] c : new String[][] {{"tworoots.pt", "evil/code/__torch__.py"},
            {"stray.pt", "ts_a/payload.so"}}) {
            Path f = withExtraRecord(c[0], c[1], "class X(Module):\n  pass\n".getBytes(StandardCharsets.UTF_8));
            String m = assertThrows(IllegalArgumentException.class, () -> store(TRUSTING).load(f.toString()))
                    .getMessage();
            assertTrue(m.contains(c[0]) && m.contains(c[1]) && m.contains("one root"), m);
        }
    }

    ModelSet pair(Path a, ModelPolicy policy) {
        return ModelSet.load(List.of(a.toString(), TestModels.fixture("ts_b.pt").toString()), store(policy));
    }

    @Test
    void torchScriptRunsOnlyWhenTrustedAndOnlyWithAllowedOperators() throws IOException {
        // untouched archives: refused by default, run with dni.trust-code
        ModelSet plain = pair(TestModels.fixture("ts_a.pt"), ModelPolicy.DEFAULT);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, plain::network);
        assertTrue(refused.getMessage().contains("ts_a.pt") && refused.getMessage().contains("dni.trust-code = true"),
                refused.getMessage());
        assertTrue(pair(TestModels.fixture("ts_a.pt"), TRUSTING).network().name().contains("ts_a.pt"));

        // code that writes a file: refused even when trusted, and nothing runs (the marker file stays absent)
        Path marker = tmp.resolve("marker");
        Path writer = rewriteCode("writer.pt", code -> code.replace("    bn = self.bn\n",
                "    _w = torch.from_file(\"" + marker + "\", True, 16)\n    bn = self.bn\n"));
        IllegalArgumentException io = assertThrows(IllegalArgumentException.class,
                () -> pair(writer, TRUSTING).network());
        assertTrue(io.getMessage().contains("writer.pt") && io.getMessage().contains("torch.from_file"),
                io.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pair(writer, ModelPolicy.DEFAULT).network());
        Path loop = rewriteCode("loop.pt", code -> code.replace("    bn = self.bn\n",
                "    while True:\n      pass\n    bn = self.bn\n"));
        IllegalArgumentException spin = assertThrows(IllegalArgumentException.class,
                () -> pair(loop, TRUSTING).network());
        assertTrue(spin.getMessage().contains("while loop"), spin.getMessage());
        Path custom = rewriteCode("custom.pt", code -> code.replace("torch.relu(", "torch.ops.evil.relu("));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pair(custom, TRUSTING).network()).getMessage()
                .contains("torch.ops.evil"));
        // spellings a text search misses: whitespace and a line continuation inside the name, a parenthesised root,
        // reflective built-ins, and a loop whose count a tensor's values decide
        for (String[] c : new String[][] {
            {"spaced.pt", "    _w = torch . from_file(\"" + marker + "\", True, 16)\n", "torch.from_file"},
            {"continued.pt", "    _w = torch\\\n.from_file(\"" + marker + "\", True, 16)\n", "torch.from_file"},
            {"paren.pt", "    _w = (torch).from_file(\"" + marker + "\", True, 16)\n", "torch used as a value"},
            {"reflect.pt", "    _w = getattr(torch, \"from_file\")\n", "getattr"},
            {"forloop.pt", "    for _i in range(int(torch.max(x))):\n      pass\n", "not bounded"},
            {"forlist.pt", "    for _i in [1, 2]:\n      pass\n", "does not iterate over a range"}}) {
            Path hostile = rewriteCode(c[0], code -> code.replace("    bn = self.bn\n", c[1] + "    bn = self.bn\n"));
            String m = assertThrows(IllegalArgumentException.class, () -> pair(hostile, TRUSTING).network())
                    .getMessage();
            assertTrue(m.contains(c[0]) && m.contains(c[2]), c[0] + ": " + m);
        }
        // a string or a comment that mentions a refused operator is not a call
        Path quiet = rewriteCode("quiet.pt", code -> code.replace("    bn = self.bn\n",
                "    _s = \"torch.from_file\"  # torch.save\n    bn = self.bn\n"));
        assertTrue(pair(quiet, TRUSTING).network().name().contains("quiet.pt"));
        assertFalse(Files.exists(marker), "a refused archive ran");
        // reading and rewriting tensors (what interpolate does) never needs trust
        assertEquals(11, pair(writer, ModelPolicy.DEFAULT).first().weights().tensorCount());
    }

    @Test
    void nonFiniteWeightsAreRefusedInEveryFormat() throws IOException {
        ModelWeights nan = new ModelWeights("w", List.of(NamedTensor.ofFloats("conv.weight", new int[] {3},
                DType.FLOAT32, new float[] {1, Float.NaN, Float.POSITIVE_INFINITY})));
        Path pth = tmp.resolve("nan.pth");
        Files.write(pth, PyTorchCheckpoint.write(nan, "archive", null));
        Path st = tmp.resolve("nan.safetensors");
        Files.write(st, Safetensors.write(nan, Map.of()));
        for (Path p : List.of(pth, st)) {
            String m = assertThrows(IllegalArgumentException.class, () -> store(ModelPolicy.DEFAULT)
                    .load(p.toString())).getMessage();
            assertTrue(m.contains(p.getFileName().toString()) && m.contains("conv.weight holds 2 non-finite values "
                    + "(first: NaN at index 1)"), m);
        }
    }

    @Test
    void onlyRegularFilesWithinTheSizeLimitAreRead() throws IOException, InterruptedException {
        Path fifo = tmp.resolve("fifo.pth");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String m = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class,
                () -> store(ModelPolicy.DEFAULT).load(fifo.toString()))).getMessage();
        assertTrue(m.contains("fifo.pth") && m.contains("not a regular file"), m);

        ModelStore small = store(new ModelPolicy(new ReadLimits(1000, 1000, 10, 10, 10), false));
        String big = assertThrows(RuntimeException.class,
                () -> small.load(TestModels.fixture("srcnn_a.pth").toString())).getMessage();
        assertTrue(big.contains("srcnn_a.pth") && big.contains("1000-byte limit")
                && big.contains("dni.limits.model-bytes"), big);
    }
}
