package org.dnispark.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.ncnn.NcnnModel;
import org.junit.jupiter.api.Test;

/**
 * Model files built to make a reader loop, recurse, allocate or compute out of bounds. Each is refused quickly
 * with an error that names the file and, where a limit applies, the limit and its {@code dni.limits} key. Each
 * case reproduces a file that, before these checks, hung, overflowed the stack, ran out of memory or was accepted.
 */
class HostileFormatsTest {
    /** Far more than any of these may take; a hang fails the test rather than the build. */
    static final Duration QUICKLY = Duration.ofSeconds(20);

    /** A few pickle opcodes, enough to write hostile pickles by hand. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            out.write(0x8a);
            out.write(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Pickle memoGet(int i) {
            out.write('j');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
            return this;
        }

        Pickle memoPut(int i) {
            out.write('r');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
            return this;
        }

        /** The opening of a state dict: an OrderedDict on the stack, then MARK for its items. */
        Pickle stateDict() {
            return op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(');
        }

        /** One float tensor entry: name, then _rebuild_tensor_v2 of storage "0" with the given geometry. */
        Pickle tensor(String name, long numel, long offset, long[] size, long[] stride) {
            string(name).global("torch._utils", "_rebuild_tensor_v2").op('(', '(').string("storage")
                    .global("torch", "FloatStorage").string("0").string("cpu").integer(numel).op('t', 'Q');
            integer(offset).op('(');
            for (long s : size) {
                integer(s);
            }
            op('t', '(');
            for (long s : stride) {
                integer(s);
            }
            return op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A torch.save-shaped zip around a pickle and storages. */
    static byte[] pth(byte[] pickle, Map<String, byte[]> storages) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            ZipRecords.writeStored(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> s : storages.entrySet()) {
                ZipRecords.writeStored(zip, "archive/data/" + s.getKey(), s.getValue());
            }
        }
        return bytes.toByteArray();
    }

    static FormatException refusedPth(byte[] file, String name) {
        return assertTimeoutPreemptively(QUICKLY, () -> assertThrows(FormatException.class,
                () -> PyTorchCheckpoint.read(file, name, ReadLimits.DEFAULT)));
    }

    static void assertNames(RuntimeException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void aSmallPickleOfReferencesDoublingAListIsRefusedAsAKeyNotHashedForever() throws IOException {
        // 40 levels, each a list holding the previous one twice: 2^40 elements to hash as a dict key
        Pickle p = new Pickle().op(0x80, 2, ']').memoPut(0);
        for (int i = 0; i < 40; i++) {
            p.op('(').memoGet(i).memoGet(i).op('l').memoPut(i + 1);
        }
        p.op('}').memoGet(40).string("x").op('s', '.');
        FormatException e = refusedPth(pth(p.bytes(), Map.of()), "laughs.pth");
        assertNames(e, "laughs.pth", "dict key is a ArrayList");
        // the same shared structure as a value is walked once per container, not once per path
        Pickle v = new Pickle().op(0x80, 2, ']').memoPut(0);
        for (int i = 0; i < 40; i++) {
            v.op('(').memoGet(i).memoGet(i).op('l').memoPut(i + 1);
        }
        v.op('}').string("x").memoGet(40).op('s', '.');
        assertNames(refusedPth(pth(v.bytes(), Map.of()), "laughs2.pth"), "laughs2.pth", "not tensors");
    }

    @Test
    void selfReferenceAndDeepNestingAreRefusedWithoutRecursion() throws IOException {
        byte[] self = new Pickle().op(0x80, 2, ']').memoPut(0).memoGet(0).op('a', '.').bytes();
        assertNames(refusedPth(pth(self, Map.of()), "self.pth"), "self.pth", "contains itself");
        Pickle deep = new Pickle().op(0x80, 2);
        for (int i = 0; i < 100_000; i++) {
            deep.op(']');
        }
        for (int i = 0; i < 100_000 - 1; i++) {
            deep.op('a');
        }
        deep.op('.');
        assertNames(refusedPth(pth(deep.bytes(), Map.of()), "deep.pth"), "deep.pth", "limit of 100",
                "dni.limits.pickle-depth");
        ReadLimits few = new ReadLimits(1 << 20, 1000, 100, 100, 100);
        FormatException many = assertThrows(FormatException.class,
                () -> PyTorchCheckpoint.read(pth(deep.bytes(), Map.of()), "many.pth", few));
        assertNames(many, "many.pth", "limit of 1000", "dni.limits.pickle-objects");
    }

    @Test
    void offsetsAndStridesThatOverflowAreRefusedByName() throws IOException {
        byte[] storage = new byte[16];
        byte[] overflow = new Pickle().stateDict()
                .tensor("w", 4, 0, new long[] {2, 3}, new long[] {Long.MAX_VALUE / 2, 1}).op('u', '.').bytes();
        assertNames(refusedPth(pth(overflow, Map.of("0", storage)), "stride.pth"), "stride.pth", "tensor w",
                "64-bit overflow");
        byte[] offset = new Pickle().stateDict()
                .tensor("w", 4, Long.MAX_VALUE - 1, new long[] {2}, new long[] {1}).op('u', '.').bytes();
        assertNames(refusedPth(pth(offset, Map.of("0", storage)), "offset.pth"), "offset.pth", "tensor w");
        byte[] numel = new Pickle().stateDict()
                .tensor("w", Long.MAX_VALUE / 2, 0, new long[] {2}, new long[] {1}).op('u', '.').bytes();
        assertNames(refusedPth(pth(numel, Map.of("0", storage)), "numel.pth"), "numel.pth", "declares");
        // a shape given as a string
        Pickle text = new Pickle().stateDict();
        text.string("w").global("torch._utils", "_rebuild_tensor_v2").op('(', '(').string("storage")
                .global("torch", "FloatStorage").string("0").string("cpu").integer(4).op('t', 'Q').integer(0)
                .op('(').string("4").op('t', '(').integer(1).op('t', 0x89).global("collections", "OrderedDict")
                .op(')', 'R', 't', 'R', 'u', '.');
        assertNames(refusedPth(pth(text.bytes(), Map.of("0", storage)), "text.pth"), "text.pth", "size ('4')");
    }

    @Test
    void zipBombsDuplicateRecordsAndTrailingBytesAreRefused() throws IOException {
        ModelWeights w = new ModelWeights("w", List.of(NamedTensor.ofFloats("conv.weight", new int[] {2, 2},
                DType.FLOAT32, new float[] {1, 2, 3, 4})));
        byte[] good = PyTorchCheckpoint.write(w, "archive", null);
        assertEquals(1, PyTorchCheckpoint.read(good, "good.pth").weights.tensorCount());

        // 300 MB of zeros deflated to a few hundred kilobytes
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertTrue(bomb.size() < 2_000_000, "bomb of " + bomb.size() + " bytes");
        assertNames(refusedPth(bomb.toByteArray(), "bomb.pth"), "bomb.pth", "archive/data.pkl", "limit of 100",
                "dni.limits.zip-ratio");

        // two records with one name: rename data/1's entry (local header and central directory) to data/0
        ModelWeights two = new ModelWeights("w", List.of(w.tensors().get(0),
                NamedTensor.ofFloats("conv.bias", new int[] {2}, DType.FLOAT32, new float[] {5, 6})));
        byte[] dup = PyTorchCheckpoint.write(two, "archive", null);
        replaceAll(dup, "archive/data/1", "archive/data/0");
        assertNames(refusedPth(dup, "dup.pth"), "dup.pth", "two records named archive/data/0");

        byte[] trailing = Arrays.copyOf(good, good.length + 4);
        assertNames(refusedPth(trailing, "trailing.pth"), "trailing.pth", "4 bytes after");

        ReadLimits few = new ReadLimits(1 << 20, 1000, 100, 2, 100);
        assertNames(assertThrows(FormatException.class, () -> PyTorchCheckpoint.read(good, "entries.pth", few)),
                "entries.pth", "limit of 2", "dni.limits.zip-entries");
    }

    static void replaceAll(byte[] data, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        int n = 0;
        for (int i = 0; i + f.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, data, i, t.length);
                n++;
            }
        }
        assertEquals(2, n, "the name appears in the local header and the central directory");
    }

    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void safetensorsHeadersAreReadStrictly() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "Duplicate field 'w'");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "dimension 2.0");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", "dimension \"2\"");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 bytes after the last tensor");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "bytes 0 to 4");
        cases.put("{\"__metadata__\":{\"a\":\"b\"}}", "holds no tensors");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            FormatException e = assertThrows(FormatException.class,
                    () -> Safetensors.read(safetensors(c.getKey(), 8), "bad.safetensors"), c.getKey());
            assertNames(e, "bad.safetensors", c.getValue());
        }
    }

    @Test
    void appendingToATupleIsAnErrorNotANullMessage() throws IOException {
        // found by mutating fixtures: APPEND onto a tuple used to end in "UnsupportedOperationException: null"
        byte[] tuple = new Pickle().op(0x80, 2, ')', 'N', 'a', '.').bytes();
        assertNames(refusedPth(pth(tuple, Map.of()), "tuple.pth"), "tuple.pth", "APPEND to a tuple");
    }

    @Test
    void ncnnWindowsAndCropsAreValidatedBeforeAnyArithmetic() {
        // found by mutating real graphs: a stride of 0 divided by zero, and a Crop with fewer starts than axes
        // indexed out of bounds ("/ by zero", "Index 1 out of bounds for length 0")
        String stride = "7767517\n2 2\nInput input 0 1 data\n"
                + "Convolution conv 1 1 data out 0=1 1=3 3=0 5=0 6=27\n";
        RuntimeException zero = assertThrows(RuntimeException.class, () -> org.dnispark.runtime.NetworkSpec.ncnn(
                NcnnModel.read(stride, bin(4 + 27 * 4), "stride0").graph()).geometry());
        assertNames(zero, "conv", "stride 0 must each be at least 1");
        String crop = "7767517\n2 2\nInput input 0 1 data\n"
                + "Crop crop 1 1 data out -23309=1,2 -23310=1,-2 -23311=2,-1,-2\n";
        RuntimeException axes = assertThrows(RuntimeException.class, () -> org.dnispark.runtime.NetworkSpec.ncnn(
                NcnnModel.read(crop, new byte[0], "crop").graph()).geometry());
        assertNames(axes, "crop", "1 starts (9=), 1 ends (10=) and 2 axes (11=)");
    }

    static byte[] bin(int bytes) {
        return new byte[bytes];
    }

    @Test
    void anNcnnCountIsCheckedAgainstTheBinBeforeAnythingIsAllocated() {
        String param = "7767517\n2 2\nInput input 0 1 data\n"
                + "Convolution conv 1 1 data out 0=1 1=1 5=0 6=2000000000\n";
        RuntimeException e = assertTimeoutPreemptively(QUICKLY, () -> assertThrows(RuntimeException.class,
                () -> NcnnModel.read(param, new byte[12], "huge")));
        assertNames(e, "huge", "needs 4000000000 bytes", "only 8 remain");
    }
}
