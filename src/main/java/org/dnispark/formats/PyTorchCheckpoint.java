package org.dnispark.formats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipOutputStream;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * PyTorch {@code .pth} state dicts in the zip format {@code torch.save} writes since PyTorch 1.6: a pickle
 * ({@code <archive>/data.pkl}) read by {@link RestrictedUnpickler}, whose tensors point into storage records
 * ({@code <archive>/data/<key>}). Wrappers are unwrapped as Real-ESRGAN and BasicSR do: {@code params_ema} (preferred
 * when present), {@code params}, {@code state_dict}, {@code model}; a {@code module.} prefix on every key (from
 * DataParallel) is removed. Writing produces a file that {@code torch.load(..., weights_only=True)} accepts.
 */
public final class PyTorchCheckpoint {
    /** Wrapper keys, in order of preference. */
    public static final List<String> WRAPPERS = List.of("params_ema", "params", "state_dict", "model");

    private PyTorchCheckpoint() {
    }

    /** A state dict with the wrapper it came from ("" for a bare state dict) and extra metadata records. */
    public static final class Loaded {
        public final ModelWeights weights;
        public final String wrapper;
        public final boolean strippedModulePrefix;

        Loaded(ModelWeights weights, String wrapper, boolean strippedModulePrefix) {
            this.weights = weights;
            this.wrapper = wrapper;
            this.strippedModulePrefix = strippedModulePrefix;
        }
    }

    static DType storageDtype(String type, String source, String tensor) {
        switch (type) {
            case "torch.FloatStorage":
                return DType.FLOAT32;
            case "torch.HalfStorage":
                return DType.FLOAT16;
            case "torch.BFloat16Storage":
                return DType.BFLOAT16;
            case "torch.LongStorage":
                return DType.INT64;
            case "torch.IntStorage":
                return DType.INT32;
            case "torch.ByteStorage":
                return DType.UINT8;
            default:
                throw new FormatException(source + ": tensor " + tensor + " is stored as " + type
                        + "; expected float32, float16, bfloat16, int64, int32 or uint8");
        }
    }

    public static Loaded read(byte[] file, String source) {
        return read(file, source, ReadLimits.DEFAULT);
    }

    public static Loaded read(byte[] file, String source, ReadLimits limits) {
        if (file.length >= 2 && file[0] == (byte) 0x80) {
            return unwrap(Legacy.read(file, source, limits), source);
        }
        if (file.length < 4 || file[0] != 'P' || file[1] != 'K') {
            throw new FormatException(source + ": not a PyTorch checkpoint (expected a zip archive written by "
                    + "torch.save, or the legacy pre-1.6 format)");
        }
        Map<String, byte[]> records = ZipRecords.read(file, source, limits);
        String pickleName = null;
        for (String n : records.keySet()) {
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                if (pickleName != null) {
                    throw new FormatException(source + ": two data.pkl records (" + pickleName + ", " + n + ")");
                }
                pickleName = n;
            }
        }
        if (pickleName == null) {
            throw new FormatException(source + ": no <archive>/data.pkl record; the zip is truncated or not a "
                    + "torch.save file");
        }
        String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
        byte[] order = records.get(prefix + "byteorder");
        if (order != null && !new String(order, StandardCharsets.US_ASCII).trim().equals("little")) {
            throw new FormatException(source + ": big-endian checkpoints are not supported");
        }
        Object root = new RestrictedUnpickler(records.get(pickleName), source, limits).load();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        String dataPrefix = prefix + "data/";
        records.forEach((k, v) -> {
            if (k.startsWith(dataPrefix)) {
                storages.put(k.substring(dataPrefix.length()), v);
            }
        });
        return unwrap(new Parsed(root, storages), source);
    }

    /** A parsed checkpoint: the unpickled root object and its storages by key. */
    static final class Parsed {
        final Object root;
        final Map<String, byte[]> storages;

        Parsed(Object root, Map<String, byte[]> storages) {
            this.root = root;
            this.storages = storages;
        }
    }

    private static Loaded unwrap(Parsed parsed, String source) {
        Object root = parsed.root;
        if (!(root instanceof Map)) {
            throw new FormatException(source + ": the checkpoint holds a " + (root == null ? "None" : "non-dict")
                    + " object; expected a state dict");
        }
        Map<?, ?> dict = (Map<?, ?>) root;
        String wrapper = "";
        for (String w : WRAPPERS) {
            if (dict.get(w) instanceof Map) {
                wrapper = w;
                dict = (Map<?, ?>) dict.get(w);
                break;
            }
        }
        List<String> notTensors = new ArrayList<>();
        boolean allModule = !dict.isEmpty();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof RestrictedUnpickler.TensorRef)) {
                notTensors.add(String.valueOf(e.getKey()));
            } else if (!((String) e.getKey()).startsWith("module.")) {
                allModule = false;
            }
        }
        if (!notTensors.isEmpty()) {
            throw new FormatException(source + ": " + (wrapper.isEmpty() ? "the top-level dict" : "'" + wrapper + "'")
                    + " is not a state dict: entries " + notTensors + " are not tensors (known wrappers: " + WRAPPERS
                    + ")");
        }
        List<NamedTensor> tensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            String name = (String) e.getKey();
            RestrictedUnpickler.TensorRef t = (RestrictedUnpickler.TensorRef) e.getValue();
            String key = allModule ? name.substring("module.".length()) : name;
            tensors.add(materialize(key, t, parsed.storages, source));
        }
        return new Loaded(new ModelWeights(source, tensors), wrapper, allModule);
    }

    static NamedTensor materialize(String name, RestrictedUnpickler.TensorRef t, Map<String, byte[]> storages,
            String source) {
        DType dtype = storageDtype(t.storage.type, source, name);
        byte[] storage = storages.get(t.storage.key);
        if (storage == null) {
            throw new FormatException(source + ": tensor " + name + " refers to storage record data/" + t.storage.key
                    + ", which the archive lacks (truncated file?)");
        }
        if (t.storage.numel < 0 || t.storage.numel > storage.length / dtype.byteSize()) {
            throw new FormatException(source + ": storage data/" + t.storage.key + " of tensor " + name + " has "
                    + storage.length + " bytes; its header declares " + t.storage.numel + " " + dtype + " elements of "
                    + dtype.byteSize() + " bytes");
        }
        if (t.size.size() != t.stride.size()) {
            throw new FormatException(source + ": tensor " + name + " has " + t.size.size() + " sizes but "
                    + t.stride.size() + " strides");
        }
        int[] shape = new int[t.size.size()];
        long[] strides = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            Object d = t.size.get(i);
            Object s = t.stride.get(i);
            if (!(d instanceof Long) || !(s instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE
                    || (Long) s < 0) {
                throw new FormatException(source + ": tensor " + name + " has size " + describe(t.size) + " and stride "
                        + describe(t.stride) + "; expected non-negative integers");
            }
            shape[i] = (int) (long) (Long) d;
            strides[i] = (Long) s;
        }
        ByteBuffer data = ByteBuffer.wrap(storage, 0, (int) Math.min(storage.length,
                t.storage.numel * dtype.byteSize())).slice();
        return TensorBytes.decode(name, dtype, shape, strides, t.offset, data, source);
    }

    /**
     * Writes a bare state dict (an OrderedDict of tensors) that {@code torch.load(path, weights_only=True)} loads,
     * plus a {@code <archive>/extra/dni.json} record holding {@code metadata} (torch.load ignores extra records).
     */
    public static byte[] write(ModelWeights weights, String archive, String metadataJson) {
        PickleWriter p = new PickleWriter();
        p.proto(2);
        p.global("collections", "OrderedDict");
        p.emptyTuple();
        p.reduce();
        p.mark();
        List<byte[]> storages = new ArrayList<>();
        int key = 0;
        for (NamedTensor t : weights.tensors()) {
            p.string(t.name());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.mark();
            p.mark();
            p.string("storage");
            p.global("torch", storageType(t.dtype()));
            p.string(Integer.toString(key++));
            p.string("cpu");
            p.integer(t.size());
            p.tuple();
            p.binpersid();
            p.integer(0);
            int[] shape = t.shape();
            long[] strides = TensorBytes.contiguousStrides(shape);
            p.mark();
            for (int d : shape) {
                p.integer(d);
            }
            p.tuple();
            p.mark();
            for (long s : strides) {
                p.integer(s);
            }
            p.tuple();
            p.bool(false);
            p.global("collections", "OrderedDict");
            p.emptyTuple();
            p.reduce();
            p.tuple();
            p.reduce();
            storages.add(TensorBytes.encode(t));
        }
        p.setItems();
        p.stop();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                ZipRecords.writeStored(zip, archive + "/data.pkl", p.bytes());
                ZipRecords.writeStored(zip, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < storages.size(); i++) {
                    ZipRecords.writeStored(zip, archive + "/data/" + i, storages.get(i));
                }
                ZipRecords.writeStored(zip, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
                if (metadataJson != null) {
                    ZipRecords.writeStored(zip, archive + "/extra/dni.json", metadataJson.getBytes(StandardCharsets.UTF_8));
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A size or stride tuple for an error message: its scalars, or the kind of anything else. */
    private static String describe(List<Object> values) {
        List<String> out = new ArrayList<>();
        for (Object v : values) {
            out.add(v instanceof Long || v instanceof Double || v instanceof Boolean ? String.valueOf(v)
                    : v instanceof String ? "'" + v + "'" : v == null ? "None" : v.getClass().getSimpleName());
        }
        return "(" + String.join(", ", out) + ")";
    }

    private static String storageType(DType d) {
        switch (d) {
            case FLOAT32:
                return "FloatStorage";
            case FLOAT16:
                return "HalfStorage";
            case BFLOAT16:
                return "BFloat16Storage";
            case INT64:
                return "LongStorage";
            case INT32:
                return "IntStorage";
            default:
                return "ByteStorage";
        }
    }

    /** The few pickle opcodes a state dict needs (protocol 2). */
    private static final class PickleWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void proto(int v) {
            out.write(0x80);
            out.write(v);
        }

        void global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        void emptyTuple() {
            out.write(')');
        }

        void mark() {
            out.write('(');
        }

        void tuple() {
            out.write('t');
        }

        void reduce() {
            out.write('R');
        }

        void binpersid() {
            out.write('Q');
        }

        void setItems() {
            out.write('u');
        }

        void stop() {
            out.write('.');
        }

        void bool(boolean b) {
            out.write(b ? 0x88 : 0x89);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
        }

        void integer(long v) {
            if (v >= 0 && v < 256) {
                out.write('K');
                out.write((int) v);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                out.writeBytes(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            } else {
                out.write(0x8a);
                out.write(8);
                out.writeBytes(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
