package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.dnispark.arch.RrdbNet;
import org.dnispark.arch.ArchitectureRegistry;

/**
 * Real-ESRGAN's GAN-trained realesrgan-x4plus-anime (6-block RRDBNet, ncnn, in waifu2x@1.6.5) read into the built-in
 * RRDBNet's state-dict keys: the state dict computes what the ncnn graph computes, whole and tiled, and writes back
 * to the same .bin bytes.
 */
class RealEsrganAnimeTest {
    static final String PREFIX = "waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime";

    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @Test
    void theStateDictComputesWhatTheNcnnGraphComputesWholeAndTiled() {
        NcnnModel ncnn = TestModels.read(TestModels.cache().resolve(PREFIX));
        ModelWeights sd = RrdbNet.fromNcnn(ncnn);
        NetworkSpec spec = ArchitectureRegistry.detect(sd);
        assertEquals("RRDBNet(scale=4, num_feat=64, num_block=6, num_grow_ch=32)", spec.name());
        assertEquals(6 * 3 * 5 * 2 + 12, sd.tensorCount());
        // a real photograph's crop (coffee, 40x32), so that textures and edges are in it
        RgbImage crop = TestModels.readImage(TestModels.demoImage("coffee.png")).cropReplicate(60, 40, 40, 32);
        float[] reference;
        try (TiledPredictor p = new TiledPredictor(ncnn.graph(), 256)) {
            p.setWeights(ncnn.weights());
            reference = p.run(crop).data();
        }
        assertEquals(3 * 160 * 128, reference.length);
        for (int tile : new int[] {256, 16}) {
            try (TiledPredictor p = new TiledPredictor(spec, tile, 1, null, false)) {
                p.setWeights(sd);
                float diff = TestModels.maxAbsDiff(p.run(crop).data(), reference);
                assertTrue(diff < 1e-4, "state dict against the ncnn graph, tile " + tile + ": max abs " + diff);
            }
        }
        // and the ncnn graph tiled against itself whole (its context covers the 96 convolutions)
        try (TiledPredictor p = new TiledPredictor(ncnn.graph(), 16)) {
            p.setWeights(ncnn.weights());
            float diff = TestModels.maxAbsDiff(p.run(crop).data(), reference);
            assertTrue(diff < 1e-4, "ncnn tiled: max abs " + diff);
        }
    }

    @Test
    void theRoundTripIsExactAndOtherGraphsAreRefused() throws Exception {
        NcnnModel ncnn = TestModels.read(TestModels.cache().resolve(PREFIX));
        ModelWeights sd = RrdbNet.fromNcnn(ncnn);
        byte[] original = java.nio.file.Files.readAllBytes(TestModels.cache().resolve(PREFIX + ".bin"));
        assertArrayEquals(original, NcnnModel.writeBin(ncnn.graph(), RrdbNet.toNcnn(sd, ncnn)));
        for (String name : sd.names()) {
            assertEquals(ncnn.weights().tensorCount(), sd.tensorCount());
            assertTrue(name.startsWith("conv_") || name.startsWith("body."), name);
        }
        String refused = assertThrows(IllegalArgumentException.class, () -> RrdbNet.fromNcnn(
                TestModels.readUpconv7("noise0_scale2.0x"))).getMessage();
        assertTrue(refused.contains("not an ncnn RRDBNet"), refused);
    }
}
