package org.dnispark.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dnispark.TestModels;
import org.dnispark.core.DType;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.junit.jupiter.api.Test;

/** .pth and safetensors against fixtures written by PyTorch 1.13 (src/test/python/make_format_fixtures.py). */
class FormatsTest {
    static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(TestModels.fixture("formats/" + name));
    }

    static PyTorchCheckpoint.Loaded pth(String name) throws IOException {
        return PyTorchCheckpoint.read(fixture(name), name);
    }

    /** Exact comparison with values PyTorch dumped as JSON (float64 text of each fp32/fp16/bf16 value). */
    static void assertMatches(ModelWeights w, String json) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(fixture(json));
        assertEquals(expected.size(), w.tensorCount());
        Iterator<String> names = expected.fieldNames();
        for (String name : w.names()) {
            assertEquals(names.next(), name, "tensor order");
            JsonNode e = expected.get(name);
            NamedTensor t = w.get(name);
            assertEquals(e.get("dtype").asText(), t.dtype().name(), name);
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asInt();
            }
            assertArrayEquals(shape, t.shape(), name);
            JsonNode v = e.get("values");
            for (int i = 0; i < t.size(); i++) {
                if (t.dtype().isFloating()) {
                    assertEquals((float) v.get(i).asDouble(), t.floatValues()[i], 0f, name + "[" + i + "]");
                } else {
                    assertEquals(v.get(i).asLong(), t.longValues()[i], name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void readsEveryDtypeStridesAndOffsets() throws IOException {
        PyTorchCheckpoint.Loaded a = pth("mixed_a.pth");
        assertEquals("", a.wrapper);
        assertMatches(a.weights, "mixed_a.json");
        assertArrayEquals(new int[] {5, 3}, a.weights.get("transposed.weight").shape());
        assertEquals(DType.BFLOAT16, a.weights.get("bn.running_var").dtype());
        assertEquals(1235L, a.weights.get("bn.num_batches_tracked").longValues()[0]);
    }

    @Test
    void unwrapsParamsEmaStateDictAndDataParallel() throws IOException {
        PyTorchCheckpoint.Loaded ema = pth("wrapped_ema.pth");
        assertEquals("params_ema", ema.wrapper);
        assertEquals(pth("mixed_b.pth").weights, ema.weights);
        PyTorchCheckpoint.Loaded dp = pth("dataparallel.pth");
        assertEquals("state_dict", dp.wrapper);
        assertTrue(dp.strippedModulePrefix);
        assertEquals(pth("mixed_a.pth").weights, dp.weights);
    }

    @Test
    void interpolationEqualsPyTorchs() throws IOException {
        ModelWeights a = pth("mixed_a.pth").weights;
        ModelWeights b = pth("mixed_b.pth").weights;
        ModelWeights mix = Interpolation.lerp(a, b, 0.3, Interpolation.Options.defaults());
        List<NamedTensor> floats = mix.tensors().stream().filter(t -> t.dtype().isFloating()).toList();
        assertMatches(new ModelWeights("mix", floats), "interp_a_b_0.3.json");
    }

    @Test
    void aPickleThatCallsOsSystemIsRefusedAndRunsNothing() throws IOException {
        Path marker = Path.of("/tmp/dni-spark-was-pwned");
        Files.deleteIfExists(marker);
        String m = assertThrows(FormatException.class, () -> pth("evil_os_system.pth")).getMessage();
        assertTrue(m.contains("evil_os_system.pth") && m.contains("'posix.system'") && m.contains("refusing"), m);
        assertFalse(Files.exists(marker));
        String notDict = assertThrows(FormatException.class, () -> pth("not_a_state_dict.pth")).getMessage();
        assertTrue(notDict.contains("not a state dict") && notDict.contains("epoch"), notDict);
    }

    static Map<String, byte[]> unzip(byte[] zip) {
        return ZipRecords.read(zip, "test", ReadLimits.DEFAULT);
    }

    static byte[] zip(Map<String, byte[]> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void truncatedArchivesAndShortStoragesAreClearErrors() throws IOException {
        byte[] file = fixture("mixed_a.pth");
        for (int cut : new int[] {10, 200, file.length / 2, file.length - 30}) {
            String m = assertThrows(FormatException.class,
                    () -> PyTorchCheckpoint.read(Arrays.copyOf(file, cut), "cut.pth")).getMessage();
            assertTrue(m.startsWith("cut.pth: "), m);
        }
        Map<String, byte[]> records = unzip(file);
        String storage = records.keySet().stream().filter(k -> k.endsWith("/data/0")).findFirst().orElseThrow();
        records.put(storage, Arrays.copyOf(records.get(storage), 8));
        String m = assertThrows(FormatException.class, () -> PyTorchCheckpoint.read(zip(records), "short.pth"))
                .getMessage();
        assertTrue(m.contains("short.pth") && m.contains("has 8 bytes") && m.contains("declares"), m);
        String legacy = assertThrows(FormatException.class,
                () -> PyTorchCheckpoint.read(new byte[] {(byte) 0x80, 2, 'K', 1}, "old.pth")).getMessage();
        assertTrue(legacy.startsWith("old.pth: truncated pickle"), legacy);
        String bare = assertThrows(FormatException.class,
                () -> PyTorchCheckpoint.read(new byte[] {(byte) 0x80, 2, 'K', 1, '.'}, "bare.pth")).getMessage();
        assertTrue(bare.contains("bare.pth") && bare.contains("no legacy magic number"), bare);
    }

    @Test
    void safetensorsRoundTripAndLimits() throws IOException {
        ModelWeights a = pth("mixed_a.pth").weights;
        byte[] st = Safetensors.write(a, Map.of("dni.alpha", "0.3"));
        Safetensors.Loaded back = Safetensors.read(st, "a.safetensors");
        assertEquals(a, back.weights);
        assertEquals("0.3", back.metadata.get("dni.alpha"));
        assertEquals(0, (8 + ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN).getLong(0)) % 8, "8-byte aligned");

        byte[] huge = st.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5L << 40); // "five terabytes of header"
        String m = assertThrows(FormatException.class, () -> Safetensors.read(huge, "huge.safetensors")).getMessage();
        assertTrue(m.contains("huge.safetensors") && m.contains("header claims 5497558138880 bytes"), m);

        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        String shortData = assertThrows(FormatException.class,
                () -> Safetensors.read(safetensors(header, 8), "short.safetensors")).getMessage();
        assertTrue(shortData.contains("needs 16 bytes") && shortData.contains("8-byte data section"), shortData);
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(assertThrows(FormatException.class, () -> Safetensors.read(safetensors(overlap, 12), "o"))
                .getMessage().contains("overlap"));
        String f64 = "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        assertTrue(assertThrows(FormatException.class, () -> Safetensors.read(safetensors(f64, 8), "d"))
                .getMessage().contains("dtype F64"));
        assertTrue(assertThrows(FormatException.class, () -> Safetensors.read(safetensors("[1,2]", 0), "j"))
                .getMessage().contains("not a JSON object"));
    }

    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    @Test
    void pthWriteThenReadIsLossless() throws IOException {
        ModelWeights a = pth("mixed_a.pth").weights;
        byte[] out = PyTorchCheckpoint.write(a, "archive", "{\"alpha\": 0.3}");
        assertEquals(a, PyTorchCheckpoint.read(out, "out.pth").weights);
        assertEquals("{\"alpha\": 0.3}", new String(unzip(out).get("archive/extra/dni.json"), StandardCharsets.UTF_8));
    }

    @Test
    void waifu2xJsonModelsReadWithEveryShapeChecked() throws IOException {
        Path dir = TestModels.cache().resolve("waifu2x-1.6.5/waifu2x/models_rgb");
        ModelWeights noise0 = Waifu2xJson.read(Files.readAllBytes(dir.resolve("noise0_model.json")), "noise0");
        assertEquals(14, noise0.tensorCount());
        assertArrayEquals(new int[] {32, 3, 3, 3}, noise0.get("layer0.weight").shape());
        assertArrayEquals(new int[] {3, 128, 3, 3}, noise0.get("layer6.weight").shape());
        // the first weight as printed in the file
        assertEquals(0.00049812928773463f, noise0.get("layer0.weight").floatValues()[0], 0f);

        String ok = "[{\"nInputPlane\":1,\"nOutputPlane\":2,\"kW\":1,\"kH\":1,\"weight\":[[[[1]]],[[[2]]]],"
                + "\"bias\":[0,1]}]";
        assertEquals(2, Waifu2xJson.read(ok.getBytes(StandardCharsets.UTF_8), "ok").get("layer0.weight").size());
        String[][] bad = {
            {"{}", "JSON list"},
            {"[1, 2", "not a waifu2x JSON model"},
            {ok.replace("\"nOutputPlane\":2", "\"nOutputPlane\":3"), "expected 3 entries on axis 0"},
            {ok.replace("[[[2]]]", "[[[\"x\"]]]"), "not a finite number"},
            {ok.replace("\"kW\":1", "\"kW\":-1"), "'kW' must be an integer"},
            {ok.replace("\"bias\":[0,1]", "\"bias\":[0]"), "bias: expected 2 entries"},
        };
        for (String[] b : bad) {
            FormatException e = assertThrows(FormatException.class,
                    () -> Waifu2xJson.read(b[0].getBytes(StandardCharsets.UTF_8), "bad.json"));
            assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains(b[1]), e.getMessage());
        }
    }
}
