package org.dnispark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.dnispark.runtime.Engines;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded work computes the same bits every time (issue 24): both trainers' test configurations, whole and
 * interrupted then resumed, and the output of every built-in architecture and of the ncnn runtime, twice in this JVM
 * (with a garbage collection between, which is when borrowed native memory used to be freed) and once in a second
 * JVM. A resumed run must also equal the uninterrupted one exactly.
 */
@Tag("peer")
class DeterminismTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @Test
    void seededTrainingAndInferenceGiveIdenticalBitsInThisJvmAndAnother() throws IOException, InterruptedException {
        Map<String, String> first = DeterminismProbe.digests(dir.resolve("first"));
        System.gc();
        Map<String, String> second = DeterminismProbe.digests(dir.resolve("second"));
        Map<String, String> other = secondJvm(dir.resolve("other"), 1);
        assertEquals(18, first.size(), first.keySet().toString());
        assertEquals(first, second, "two runs in one JVM");
        assertEquals(first, other, "a second JVM");
        for (String k : first.keySet()) {
            if (k.endsWith("+resume")) {
                assertEquals(first.get(k.substring(0, k.length() - "+resume".length())), first.get(k),
                        k + ": the resumed run differs from the uninterrupted one");
            }
        }
        System.out.println("determinism digests:");
        first.forEach((k, v) -> System.out.println("  " + v + "  " + k));
    }

    /**
     * Two torch threads split reductions (means, convolution gradients) differently from one, so the bits are a
     * function of the thread count as well as the seed; at a given count they must still repeat exactly.
     */
    @Test
    void twoTorchThreadsRepeatTheirOwnBits() throws IOException, InterruptedException {
        Map<String, String> a = secondJvm(dir.resolve("threads-a"), 2);
        Map<String, String> b = secondJvm(dir.resolve("threads-b"), 2);
        assertEquals(18, a.size(), a.keySet().toString());
        assertEquals(a, b, "two JVMs with two torch threads");
    }

    /** The probe's digests computed by a fresh JVM with this one's flags and class path and {@code threads}. */
    static Map<String, String> secondJvm(Path work, int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Dai.djl.pytorch.")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DeterminismProbe.class.getName());
        cmd.add(work.toString());
        Path log = dir.resolve(work.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the second JVM did not finish in 10 minutes");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Map<String, String> d = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("digest ")) {
                int last = line.lastIndexOf(' ');
                d.put(line.substring("digest ".length(), last), line.substring(last + 1));
            }
        }
        assertTrue(!d.isEmpty(), out);
        return d;
    }
}
