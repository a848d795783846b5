package org.dnispark.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.core.SplitMix;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Waifu2xJson;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Permutation alignment: every supported architecture computes the same function after any permutation of its
 * spec (on real photographs, real pretrained weights where the project has them, PyTorch-made fixtures otherwise),
 * weight matching never lowers its objective and recovers a planted permutation, the assignment step is optimal,
 * and networks whose ties are not expressed are refused with the reason.
 */
class AlignmentTest {
    /** The bound for "computes the same function". */
    static final double SAME_FUNCTION = 1e-5;

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    static ModelWeights pth(String fixture) throws IOException {
        return TestModels.pth(TestModels.fixture(fixture));
    }

    /** A real photograph: a crop of the demo's astronaut (or of coffee for the ncnn graphs). */
    static RgbImage photo(String name, int w, int h) {
        return TestModels.readImage(TestModels.demoImage(name)).cropReplicate(40, 30, w, h);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static float[] run(NetworkSpec spec, ModelWeights w, RgbImage in, int tile) {
        try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
            p.setWeights(w);
            return p.run(in).data();
        }
    }

    /** A random permutation of every group moves channels and leaves the network's output as it was. */
    static void assertInvariant(NetworkSpec net, PermutationSpec spec, ModelWeights w, RgbImage in) {
        Permutation p = Permutation.random(spec, 20190616);
        assertTrue(p.movedChannels() > spec.channelCount() / 2, "the permutation moves most channels");
        ModelWeights permuted = p.apply(w);
        assertNotEquals(w.asMap(), permuted.asMap());
        for (int tile : new int[] {256, 24}) {
            float diff = maxAbsDiff(run(net, w, in, tile), run(net, permuted, in, tile));
            assertTrue(diff <= SAME_FUNCTION, spec.architecture() + ": permuted model differs by " + diff
                    + " (tile " + tile + ")");
        }
    }

    static void assertInvariant(ModelWeights w, RgbImage in) {
        assertInvariant(ArchitectureRegistry.detect(w), ArchitectureRegistry.permutations(w), w, in);
    }

    @Test
    void everyStateDictArchitectureKeepsItsFunctionUnderPermutation() throws IOException {
        RgbImage photo = photo("astronaut.png", 40, 36);
        RgbImage small = photo("astronaut.png", 24, 20);
        assertInvariant(pth("srcnn_a.pth"), photo);
        assertInvariant(pth("dncnn_small_a.pth"), photo); // with batch norm and its running statistics
        ModelWeights noBn = pth("dncnn17_gray_nobn.pth");
        assertTrue(noBn.names().stream().noneMatch(n -> n.endsWith("running_mean")));
        assertInvariant(noBn, photo);
        assertInvariant(pth("srvgg_small_a.pth"), photo);
        // the real 2x-AniScale checkpoint shipped with waifu2x@1.6.5 (SRVGGNetCompact, PReLU)
        Path aniscale = TestModels.cache().resolve("waifu2x-1.6.5/models/2x-AniScale.pth");
        assertInvariant(PyTorchCheckpoint.read(Files.readAllBytes(aniscale), "2x-AniScale").weights, small);
        assertInvariant(pth("msrresnet_x4.pth"), small); // the residual trunk is one tied group
        assertInvariant(pth("rrdb_x4_a.pth"), small); // trunk tie and the dense blocks' concatenations
        assertInvariant(pth("rrdb_x2.pth"), small);
        // ESRGAN's original layout, read into canonical keys: no up-sampler (x1), four (x16), and ESRGAN+ (x4 += x2
        // and a 1x1 conv tie conv2's and conv4's outputs)
        for (String esrgan : List.of("esrgan_orig_x1.pth", "esrgan_orig_x16.pth", "esrgan_plus_x4.pth")) {
            assertInvariant(org.dnispark.arch.EsrganLayout.canonical(pth(esrgan)).weights(), small.cropReplicate(0,
                    0, 6, 5));
        }
    }

    @Test
    void realPretrainedVgg7AndUpconv7KeepTheirFunction() throws IOException {
        Path json = TestModels.cache().resolve("waifu2x-1.6.5/waifu2x/models_rgb/noise3_model.json");
        ModelWeights vgg7 = Waifu2xJson.read(Files.readAllBytes(json), "noise3_model.json");
        assertInvariant(vgg7, photo("coffee.png", 48, 40));

        NcnnModel up = TestModels.readUpconv7("noise3_scale2.0x");
        PermutationSpec spec = ArchitectureRegistry.permutations(up.graph(), up.weights());
        // six hidden convolutions; the last, a deconvolution, reads the sixth on its input axis
        assertEquals(6, spec.groups().size());
        assertTrue(spec.groups().get(5).slots().stream().anyMatch(s -> s.axis() == 1
                && up.graph().layers().stream().anyMatch(l -> l.type().equals("Deconvolution")
                        && s.tensor().equals(l.name() + ".weight"))), "the deconvolution's input axis is permuted");
        assertInvariant(NetworkSpec.ncnn(up.graph()), spec, up.weights(), photo("coffee.png", 48, 40));
    }

    @Test
    void theAlignedNcnnBinReadsBackExactly() throws IOException {
        Path prefix = TestModels.upconv7("noise3_scale2.0x");
        String param = Files.readString(Path.of(prefix + ".param"), StandardCharsets.UTF_8);
        byte[] bin = Files.readAllBytes(Path.of(prefix + ".bin"));
        NcnnModel m = NcnnModel.read(param, bin, "noise3");
        assertArrayEquals(bin, NcnnModel.writeBin(m.graph(), m.weights()), "an unpermuted model writes its own bytes");
        ModelWeights permuted = Permutation.random(ArchitectureRegistry.permutations(m.graph(), m.weights()), 5)
                .apply(m.weights());
        assertEquals(permuted.asMap(), NcnnModel.read(param, NcnnModel.writeBin(m.graph(), permuted), "p").weights()
                .asMap());
    }

    @Test
    void weightMatchingRecoversAPlantedPermutation() throws IOException {
        for (String fixture : List.of("srcnn_a.pth", "dncnn_small_a.pth", "rrdb_x4_a.pth", "msrresnet_x4.pth")) {
            ModelWeights a = pth(fixture);
            PermutationSpec spec = ArchitectureRegistry.permutations(a);
            ModelWeights b = Permutation.random(spec, 99).apply(a);
            WeightMatching.Result r = WeightMatching.align(a, b, spec, 100, 1);
            assertTrue(r.cosineBefore() < 0.9, fixture + ": the planted permutation hides the match, cosine "
                    + r.cosineBefore());
            assertEquals(1.0, r.cosineAfter(), 1e-9, fixture);
            assertEquals(a.asMap(), r.permutation().apply(b).asMap(), fixture + ": B' is A, bit for bit");
            assertTrue(r.converged());
        }
    }

    @Test
    void activationMatchingRecoversAPlantedPermutation() throws IOException {
        List<RgbImage> photos = List.of(photo("astronaut.png", 40, 36), photo("coffee.png", 40, 36));
        for (String fixture : List.of("srcnn_a.pth", "dncnn_small_a.pth", "srvgg_small_a.pth")) {
            ModelWeights a = pth(fixture);
            PermutationSpec spec = ArchitectureRegistry.permutations(a);
            ModelWeights b = Permutation.random(spec, 11).apply(a);
            WeightMatching.Result r = org.dnispark.runtime.ActivationMatching.align(ArchitectureRegistry.detect(a),
                    spec, a, b, photos);
            assertEquals(a.asMap(), r.permutation().apply(b).asMap(), fixture + ": B' is A, bit for bit");
            assertEquals(1.0, r.cosineAfter(), 1e-9, fixture);
        }
    }

    @Test
    void theObjectiveNeverDecreases() throws IOException {
        // two independently initialised pairs: nothing to recover exactly, so the descent does real work
        for (String[] pair : new String[][] {{"srcnn_a.pth", "srcnn_b.pth"}, {"dncnn_small_a.pth", "dncnn_small_b.pth"},
            {"rrdb_x4_a.pth", "rrdb_x4_b.pth"}, {"srvgg_small_a.pth", "srvgg_small_b.pth"}}) {
            ModelWeights a = pth(pair[0]);
            ModelWeights b = pth(pair[1]);
            PermutationSpec spec = ArchitectureRegistry.permutations(a);
            WeightMatching.Result r = WeightMatching.align(a, b, spec, 100, 7);
            double last = r.objectiveBefore();
            for (double o : r.objectiveByPass()) {
                assertTrue(o >= last, pair[1] + ": objective fell from " + last + " to " + o);
                last = o;
            }
            assertTrue(r.objectiveAfter() > r.objectiveBefore(), pair[1] + ": alignment found nothing better than "
                    + "the identity");
            assertEquals(WeightMatching.objective(a, b, r.permutation()), r.objectiveAfter(), 0.0);
            // aligning changes no function; a second alignment of the aligned model finds nothing to move
            ModelWeights aligned = r.permutation().apply(b);
            WeightMatching.Result again = WeightMatching.align(a, aligned, spec, 100, 3);
            assertTrue(again.objectiveAfter() >= r.objectiveAfter() - 1e-9 * Math.abs(r.objectiveAfter()));
        }
    }

    @Test
    void theAssignmentStepIsOptimal() {
        long state = 42;
        for (int trial = 0; trial < 30; trial++) {
            int n = 1 + trial % 7;
            double[][] c = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    state += SplitMix.GOLDEN;
                    c[i][j] = (SplitMix.mix(state) >>> 11) * 0x1.0p-53 * 2 - 1;
                }
            }
            int[] got = WeightMatching.maxAssignment(c);
            assertEquals(bruteForce(c), score(c, got), 1e-12, "trial " + trial);
        }
    }

    static double score(double[][] c, int[] order) {
        double s = 0;
        for (int i = 0; i < order.length; i++) {
            s += c[i][order[i]];
        }
        return s;
    }

    static double bruteForce(double[][] c) {
        List<int[]> all = new ArrayList<>();
        permutations(Permutation.identityOrder(c.length), 0, all);
        return all.stream().mapToDouble(o -> score(c, o)).max().orElseThrow();
    }

    static void permutations(int[] a, int k, List<int[]> out) {
        if (k == a.length) {
            out.add(a.clone());
            return;
        }
        for (int i = k; i < a.length; i++) {
            int t = a[k]; a[k] = a[i]; a[i] = t;
            permutations(a, k + 1, out);
            t = a[k]; a[k] = a[i]; a[i] = t;
        }
    }

    @Test
    void unsupportedTiesAreRefusedNamingWhy() throws IOException {
        NcnnModel cugan = TestModels.read(TestModels.cache().resolve("waifu2x-1.6.5/real-cugan/models-se/up2x-conservative"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArchitectureRegistry.permutations(cugan.graph(), cugan.weights()));
        assertTrue(e.getMessage().contains("cannot be aligned") && e.getMessage().contains("Convolution '")
                && (e.getMessage().contains("Split") || e.getMessage().contains("layers, a tie")), e.getMessage());

        // a spec that does not fit names every problem
        ModelWeights a = pth("srcnn_a.pth");
        PermutationSpec bad = new PermutationSpec("test", List.of(new PermutationSpec.Group("g", 64, List.of(
                PermutationSpec.Slot.of("conv9.weight", 0), PermutationSpec.Slot.of("conv1.weight", 7),
                new PermutationSpec.Slot("conv1.bias", 0, 60)))));
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class, () -> bad.check(a));
        assertTrue(fit.getMessage().contains("no tensor 'conv9.weight'") && fit.getMessage().contains("no axis 7")
                && fit.getMessage().contains("too short"), fit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Permutation(ArchitectureRegistry.permutations(a),
                java.util.Map.of("conv1", new int[] {0, 0}, "conv2", new int[] {0})));
    }

    @Test
    void permutingMovesValuesOnly() throws IOException {
        ModelWeights a = pth("dncnn_small_a.pth");
        Permutation p = Permutation.random(ArchitectureRegistry.permutations(a), 3);
        ModelWeights b = p.apply(a);
        for (NamedTensor t : a.tensors()) {
            NamedTensor u = b.get(t.name());
            assertEquals(t.dtype(), u.dtype());
            assertArrayEquals(t.shape(), u.shape());
            if (t.dtype().isFloating()) {
                float[] x = t.floatValues().clone();
                float[] y = u.floatValues().clone();
                java.util.Arrays.sort(x);
                java.util.Arrays.sort(y);
                assertArrayEquals(x, y, t.name() + " holds the same values");
            } else {
                assertArrayEquals(t.longValues(), u.longValues());
            }
        }
        assertEquals(p.digest(), Permutation.random(ArchitectureRegistry.permutations(a), 3).digest());
        assertNotEquals(p.digest(), Permutation.identity(p.spec()).digest());
    }

    @Test
    void aGroupTooLargeToAssignIsRefusedBeforeAnyWork() {
        int n = WeightMatching.MAX_GROUP_CHANNELS + 1;
        ModelWeights w = new ModelWeights("wide.safetensors", java.util.List.of(
                org.dnispark.core.NamedTensor.ofFloats("a.weight", new int[] {n, 1, 1, 1}, org.dnispark.core.DType.FLOAT32,
                        new float[n]),
                org.dnispark.core.NamedTensor.ofFloats("b.weight", new int[] {1, n, 1, 1}, org.dnispark.core.DType.FLOAT32,
                        new float[n])));
        PermutationSpec spec = new PermutationSpec.Builder("wide", w).chain("a", java.util.List.of("a.weight"),
                java.util.List.of("b.weight")).build();
        String m = assertThrows(IllegalArgumentException.class, () -> WeightMatching.align(w, w, spec, 100, 1))
                .getMessage();
        assertTrue(m.contains("group 'a'") && m.contains(n + " channels") && m.contains("1024"), m);
    }
}
