package org.dnispark.formats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header (dtype, shape and byte range of every
 * tensor, plus optional string metadata) and the raw little-endian data. Reading bounds the header size, checks that
 * every byte range lies inside the data, matches its dtype and shape, and that ranges do not overlap.
 */
public final class Safetensors {
    /** Largest accepted JSON header (the format's reference implementation uses 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Duplicate keys are errors: readers that keep the first or the last one would load different tensors. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Safetensors() {
    }

    /** Weights with the file's string metadata ({@code __metadata__}). */
    public static final class Loaded {
        public final ModelWeights weights;
        public final Map<String, String> metadata;

        Loaded(ModelWeights weights, Map<String, String> metadata) {
            this.weights = weights;
            this.metadata = metadata;
        }
    }

    static DType dtype(String code, String source, String name) {
        switch (code) {
            case "F32":
                return DType.FLOAT32;
            case "F16":
                return DType.FLOAT16;
            case "BF16":
                return DType.BFLOAT16;
            case "I64":
                return DType.INT64;
            case "I32":
                return DType.INT32;
            case "U8":
                return DType.UINT8;
            default:
                throw new FormatException(source + ": tensor " + name + " has dtype " + code
                        + "; expected one of F32, F16, BF16, I64, I32, U8");
        }
    }

    static String code(DType d) {
        switch (d) {
            case FLOAT32:
                return "F32";
            case FLOAT16:
                return "F16";
            case BFLOAT16:
                return "BF16";
            case INT64:
                return "I64";
            case INT32:
                return "I32";
            default:
                return "U8";
        }
    }

    public static Loaded read(byte[] file, String source) {
        if (file.length < 8) {
            throw new FormatException(source + ": " + file.length + " bytes is too short for a safetensors file "
                    + "(expected an 8-byte header length)");
        }
        long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > file.length - 8L) {
            throw new FormatException(source + ": header claims " + Long.toUnsignedString(headerLen) + " bytes; "
                    + "expected at most " + Math.min(MAX_HEADER_BYTES, file.length - 8L) + " (limit "
                    + MAX_HEADER_BYTES + ", file " + file.length + " bytes)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(file, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new FormatException(source + ": header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw new FormatException(source + ": header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLen;
        ByteBuffer data = ByteBuffer.wrap(file, dataStart, file.length - dataStart).slice();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        List<NamedTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new FormatException(source + ": __metadata__ is not an object of strings");
                }
                for (Map.Entry<String, JsonNode> m : v.properties()) {
                    if (!m.getValue().isTextual()) {
                        throw new FormatException(source + ": __metadata__ entry " + m.getKey() + " is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                    || !v.path("data_offsets").isArray() || v.get("data_offsets").size() != 2) {
                throw new FormatException(source + ": tensor " + name + " lacks dtype, shape or data_offsets [begin, "
                        + "end]");
            }
            DType dtype = dtype(v.get("dtype").asText(), source, name);
            int[] shape = new int[v.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode dim = v.get("shape").get(i);
                long d = dim.isIntegralNumber() && dim.canConvertToLong() ? dim.asLong() : -1;
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw new FormatException(source + ": tensor " + name + " has dimension " + dim + " in its shape; "
                            + "expected a non-negative integer");
                }
                shape[i] = (int) d;
            }
            JsonNode b0 = v.get("data_offsets").get(0);
            JsonNode b1 = v.get("data_offsets").get(1);
            long begin = b0.isIntegralNumber() && b0.canConvertToLong() ? b0.asLong() : -1;
            long end = b1.isIntegralNumber() && b1.canConvertToLong() ? b1.asLong() : -1;
            long need;
            try {
                need = Math.multiplyExact(NamedTensor.elementCount(shape), (long) dtype.byteSize());
            } catch (ArithmeticException ex) {
                throw new FormatException(source + ": tensor " + name + " is impossibly large");
            }
            if (begin < 0 || end < begin || end > data.capacity() || end - begin != need) {
                throw new FormatException(source + ": tensor " + name + " " + java.util.Arrays.toString(shape) + " "
                        + dtype + " needs " + need + " bytes but data_offsets are [" + begin + ", " + end
                        + "] of a " + data.capacity() + "-byte data section");
            }
            ranges.add(new long[] {begin, end});
            ByteBuffer slice = ByteBuffer.wrap(file, dataStart + (int) begin, (int) (end - begin)).slice();
            tensors.add(TensorBytes.decode(name, dtype, shape, TensorBytes.contiguousStrides(shape), 0, slice, source));
        }
        if (tensors.isEmpty()) {
            throw new FormatException(source + ": the file holds no tensors");
        }
        // As the format's reference reader requires: the tensors tile the data section exactly, so no byte of the
        // file is unaccounted for (overlaps, gaps and trailing bytes are errors).
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long covered = 0;
        for (long[] r : ranges) {
            if (r[0] < covered) {
                throw new FormatException(source + ": tensors overlap in the data section at byte " + r[0]);
            }
            if (r[0] > covered) {
                throw new FormatException(source + ": bytes " + covered + " to " + r[0] + " of the data section "
                        + "belong to no tensor; expected the tensors to cover it exactly");
            }
            covered = r[1];
        }
        if (covered != data.capacity()) {
            throw new FormatException(source + ": " + (data.capacity() - covered) + " bytes after the last tensor; "
                    + "expected the file to end there");
        }
        return new Loaded(new ModelWeights(source, tensors), metadata);
    }

    /** Encodes weights (in their order and dtypes) with string metadata. */
    public static byte[] write(ModelWeights weights, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (NamedTensor t : weights.tensors()) {
            byte[] b = TensorBytes.encode(t);
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", code(t.dtype()));
            var shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + b.length);
            offset += b.length;
            blobs.add(b);
        }
        try {
            byte[] json = JSON.writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; pad the header with spaces
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (byte[] b : blobs) {
                out.write(b);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
