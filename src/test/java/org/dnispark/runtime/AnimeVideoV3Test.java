package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dnispark.TestModels;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * realesr-animevideov3-x2 (PReLU, PixelShuffle, nearest and bicubic Interp) from its ncnn graph, against the
 * independent PyTorch interpreter (src/test/python/make_animevideo_fixtures.py), whole and tiled.
 */
class AnimeVideoV3Test {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    @Test
    void matchesPyTorchWholeAndTiled() {
        NcnnModel m = TestModels.read(TestModels.cache().resolve("waifu2x-1.6.5/real-esrgan/models/realesr-animevideov3-x2"));
        NetworkGeometry g = NcnnGraphGeometry.of(m.graph());
        assertEquals(2, g.scale());
        assertEquals(0, g.prePad());
        assertTrue(g.tileContext() >= 18, "context " + g.tileContext());
        RgbImage crop = TestModels.readImage(TestModels.fixture("chelsea_32.png"));
        for (int tile : new int[] {256, 12}) {
            try (TiledPredictor p = new TiledPredictor(m.graph(), tile, 1, null, false)) {
                p.setWeights(m.weights());
                float diff = TestModels.maxAbsDiff(p.run(crop).data(),
                        TestModels.readF32(TestModels.fixture("animevideov3_x2_chelsea_32.f32")));
                assertTrue(diff < 1e-4, "max abs error " + diff + " (tile " + tile + ")");
            }
        }
    }
}
