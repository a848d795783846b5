package org.dnispark.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.dnispark.TestModels;
import org.dnispark.core.ModelWeights;
import org.junit.jupiter.api.Test;

/**
 * The ONNX reader: PyTorch-exported files read as data, rewritten byte-exact but for their weights, and hostile
 * files (custom operator domains, overlong fields, external data, graphs that differ) refused with the file and the
 * reason. Hostile models are built here field by field, in protobuf's wire format.
 */
class OnnxModelTest {
    static OnnxModel fixture(String name) throws IOException {
        return OnnxModel.read(Files.readAllBytes(TestModels.fixture(name)), name);
    }

    @Test
    void pytorchExportReadsAsData() throws IOException {
        OnnxModel m = fixture("onnx_rrdb_x4_a.onnx");
        assertEquals(List.of("input"), m.graphInputs());
        assertEquals(List.of("output"), m.graphOutputs());
        assertEquals(List.of("ai.onnx:17"), m.opsets());
        assertTrue(m.weights().contains("conv_first.weight"), m.weights().names().toString());
        assertArrayEquals(new int[] {8, 3, 3, 3}, m.weights().get("conv_first.weight").shape());
        assertTrue(m.nodes().stream().anyMatch(n -> n.opType().equals("Conv")));
    }

    @Test
    void rewritingWithItsOwnWeightsKeepsEveryByteOfTheGraph() throws IOException {
        OnnxModel m = fixture("onnx_rrdb_x4_a.onnx");
        byte[] same = m.withWeights(m.weights(), Map.of());
        OnnxModel back = OnnxModel.read(same, "same.onnx");
        assertEquals(List.of(), m.differences(back));
        assertEquals(m.weights(), back.weights());
        OnnxModel skeleton = m.skeleton();
        assertTrue(skeleton.bytes().length < m.bytes().length / 4, skeleton.bytes().length + " vs "
                + m.bytes().length);
        assertArrayEquals(same, skeleton.withWeights(m.weights(), Map.of()), "weights put back into the skeleton");
    }

    @Test
    void graphsThatDifferInOneNodeAreRefusedNamingTheNode() throws IOException {
        OnnxModel a = fixture("onnx_tiny_lrelu.onnx");
        OnnxModel b = fixture("onnx_tiny_relu.onnx");
        // the activation, and the next node, whose input is the activation's (renamed) output
        List<String> d = a.differences(b);
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("node 1: '/1/LeakyRelu' LeakyRelu") && d.get(1).startsWith("node 2:"), d
                .toString());
        String m = assertThrows(IllegalArgumentException.class, () -> a.checkSameGraph(b)).getMessage();
        assertTrue(m.contains("onnx_tiny_lrelu.onnx") && m.contains("onnx_tiny_relu.onnx") && m.contains("node 1")
                && m.contains("LeakyRelu") && m.contains("Relu"), m);
    }

    // --- protobuf, by hand ----------------------------------------------------------------------------------------

    static final class Pb {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb varint(int field, long v) {
            tag(field, 0);
            raw(v);
            return this;
        }

        Pb bytes(int field, byte[] data) {
            tag(field, 2);
            raw(data.length);
            out.write(data, 0, data.length);
            return this;
        }

        Pb string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb message(int field, Pb m) {
            return bytes(field, m.out.toByteArray());
        }

        void tag(int field, int wire) {
            raw(((long) field << 3) | wire);
        }

        void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    /** A one-node model: y = Mul(x, w), the node and the opset in {@code domain}, w = [1, 2]. */
    static Pb model(String domain, Pb initializer) {
        Pb node = new Pb().string(1, "x").string(1, "w").string(2, "y").string(3, "mul0").string(4, "Mul")
                .string(7, domain);
        Pb graph = new Pb().message(1, node).string(2, "g").message(5, initializer)
                .message(11, new Pb().string(1, "x")).message(12, new Pb().string(1, "y"));
        return new Pb().varint(1, 8).message(8, new Pb().string(1, domain).varint(2, 1)).message(7, graph);
    }

    static Pb weight() {
        return new Pb().varint(1, 2).varint(2, 1).string(8, "w").bytes(9, floats(1, 2));
    }

    @Test
    void aHandBuiltModelReads() {
        OnnxModel m = OnnxModel.read(model("", weight()).build(), "plain.onnx");
        assertEquals(List.of("x"), m.graphInputs());
        assertArrayEquals(new float[] {1, 2}, m.weights().get("w").floatValues());
    }

    @Test
    void aCustomOperatorDomainIsRefusedByName() {
        byte[] file = model("com.example.custom", weight()).build();
        String m = assertThrows(FormatException.class, () -> OnnxModel.read(file, "custom.onnx")).getMessage();
        assertTrue(m.contains("custom.onnx") && m.contains("'com.example.custom'") && m.contains("no")
                && m.contains("library"), m);
        // the node alone, with the standard opset import, is refused too, naming the node
        Pb node = new Pb().string(1, "x").string(2, "y").string(3, "evil").string(4, "Evil")
                .string(7, "com.example.custom");
        Pb graph = new Pb().message(1, node).message(11, new Pb().string(1, "x")).message(12, new Pb().string(1, "y"));
        byte[] f2 = new Pb().varint(1, 8).message(8, new Pb().string(1, "").varint(2, 17)).message(7, graph).build();
        m = assertThrows(FormatException.class, () -> OnnxModel.read(f2, "node.onnx")).getMessage();
        assertTrue(m.contains("node.onnx") && m.contains("node 'evil' (Evil)") && m.contains("com.example.custom"), m);
    }

    @Test
    void anInitializerClaimingMoreBytesThanTheFileHoldsIsRefused() {
        byte[] good = model("", weight()).build();
        // cut the file inside w's raw_data: its length field now claims more than remains
        int at = indexOf(good, floats(1, 2));
        byte[] cut = Arrays.copyOf(good, at + 3);
        String m = assertThrows(FormatException.class, () -> OnnxModel.read(cut, "cut.onnx")).getMessage();
        assertTrue(m.contains("cut.onnx") && m.contains("claims") && m.contains("remain"), m);

        // a well-formed field whose dims ask for far more than its raw_data holds
        Pb big = new Pb().varint(1, 1_000_000).varint(2, 1).string(8, "w").bytes(9, floats(1, 2));
        m = assertThrows(FormatException.class, () -> OnnxModel.read(model("", big).build(), "big.onnx"))
                .getMessage();
        assertTrue(m.contains("big.onnx") && m.contains("initializer 'w'") && m.contains("4000000 bytes")
                && m.contains("holds 8"), m);
    }

    @Test
    void externalDataAndFunctionsAreRefused() {
        Pb external = new Pb().varint(1, 2).varint(2, 1).string(8, "w")
                .message(13, new Pb().string(1, "location").string(2, "../../etc/passwd")).varint(14, 1);
        String m = assertThrows(FormatException.class, () -> OnnxModel.read(model("", external).build(), "ext.onnx"))
                .getMessage();
        assertTrue(m.contains("ext.onnx") && m.contains("'w'") && m.contains("external"), m);

        byte[] withFunction = new Pb().varint(1, 8).message(8, new Pb().string(1, "").varint(2, 17))
                .message(25, new Pb().string(1, "f")).build();
        m = assertThrows(FormatException.class, () -> OnnxModel.read(withFunction, "fn.onnx")).getMessage();
        assertTrue(m.contains("fn.onnx") && m.contains("functions"), m);
    }

    @Test
    void garbageIsRefusedNotMisread() {
        for (byte[] junk : new byte[][] {"not a model".getBytes(StandardCharsets.UTF_8), new byte[] {8, (byte) 0x80},
                new byte[0]}) {
            assertThrows(FormatException.class, () -> OnnxModel.read(junk, "junk.onnx"));
        }
    }

    @Test
    void metadataIsAddedAndReplaced() {
        OnnxModel m = OnnxModel.read(model("", weight()).build(), "plain.onnx");
        ModelWeights w = m.weights();
        byte[] once = m.withWeights(w, Map.of("dni.metadata", "first"));
        byte[] twice = OnnxModel.read(once, "once.onnx").withWeights(w, Map.of("dni.metadata", "second"));
        String text = new String(twice, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("second") && !text.contains("first"), text);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
