package org.dnispark.formats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipOutputStream;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * A TorchScript archive ({@code torch.jit.save}): any architecture, with its parameters <em>and</em> buffers (batch
 * norm running statistics) read by attribute path ({@code bn.running_mean}) through the restricted unpickler in
 * TorchScript mode. {@link #withWeights} writes the same archive with other tensor values (for example interpolated
 * ones) by rewriting only the storage records, so the module's own TorchScript code, run by libtorch and never by
 * Python, is untouched.
 */
public final class TorchScriptArchive implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final LinkedHashMap<String, byte[]> records;
    private final String prefix;
    private final ModelWeights weights;
    /** Tensor name to its storage record (tensors covering a whole storage, contiguously). */
    private final LinkedHashMap<String, String> storageOf;

    private TorchScriptArchive(String source, LinkedHashMap<String, byte[]> records, String prefix,
            ModelWeights weights, LinkedHashMap<String, String> storageOf) {
        this.source = source;
        this.records = records;
        this.prefix = prefix;
        this.weights = weights;
        this.storageOf = storageOf;
    }

    /** Whether a file is a TorchScript archive (a torch.save zip has no code/ or constants.pkl records). */
    public static boolean isTorchScript(byte[] file) {
        if (file.length < 4 || file[0] != 'P' || file[1] != 'K') {
            return false;
        }
        try {
            for (String n : ZipRecords.names(file, "probe", ReadLimits.DEFAULT)) {
                if (n.endsWith("/constants.pkl") || n.contains("/code/")) {
                    return true;
                }
            }
        } catch (FormatException e) {
            return false;
        }
        return false;
    }

    public static TorchScriptArchive read(byte[] file, String source) {
        return read(file, source, ReadLimits.DEFAULT);
    }

    public static TorchScriptArchive read(byte[] file, String source, ReadLimits limits) {
        LinkedHashMap<String, byte[]> records = new LinkedHashMap<>(ZipRecords.read(file, source, limits));
        String pickle = null;
        for (String n : records.keySet()) {
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                pickle = n;
            }
        }
        if (pickle == null) {
            throw new FormatException(source + ": no <archive>/data.pkl record; not a TorchScript archive");
        }
        String prefix = pickle.substring(0, pickle.length() - "data.pkl".length());
        requireOneRoot(records, prefix, source);
        Object root = new RestrictedUnpickler(records.get(pickle), source, limits).torchScriptMode().load();
        if (!(root instanceof RestrictedUnpickler.ScriptObject)) {
            throw new FormatException(source + ": the archive's root is not a TorchScript module");
        }
        Map<String, byte[]> storages = new LinkedHashMap<>();
        records.forEach((k, v) -> {
            if (k.startsWith(prefix + "data/")) {
                storages.put(k.substring((prefix + "data/").length()), v);
            }
        });
        List<NamedTensor> tensors = new ArrayList<>();
        LinkedHashMap<String, String> storageOf = new LinkedHashMap<>();
        collect((RestrictedUnpickler.ScriptObject) root, "", storages, tensors, storageOf, source,
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        if (tensors.isEmpty()) {
            throw new FormatException(source + ": the TorchScript module holds no tensors to interpolate");
        }
        return new TorchScriptArchive(source, records, prefix, new ModelWeights(source, tensors), storageOf);
    }

    /**
     * One archive, one module: every record lies under the one folder whose {@code data.pkl} was read, and is of a
     * kind {@code torch.jit.save} writes (the module pickle, its constants, storages, code, version markers, extra
     * files). A second root, or a stray record, could be what libtorch loads instead of what was checked.
     */
    private static void requireOneRoot(Map<String, byte[]> records, String prefix, String source) {
        List<String> stray = new ArrayList<>();
        for (String n : records.keySet()) {
            String rel = n.startsWith(prefix) ? n.substring(prefix.length()) : null;
            boolean known = rel != null && (rel.equals("data.pkl") || rel.equals("constants.pkl")
                    || rel.equals("version") || rel.equals("byteorder") || rel.startsWith(".data/")
                    || rel.matches("data/\\d+") || rel.startsWith("code/") || rel.matches("constants/\\d+")
                    || rel.startsWith("extra/"));
            if (!known) {
                stray.add(n);
            }
        }
        if (!stray.isEmpty()) {
            throw new FormatException(source + ": records outside the archive's one module " + prefix + " "
                    + stray.subList(0, Math.min(5, stray.size())) + (stray.size() > 5 ? " and " + (stray.size() - 5)
                    + " more" : "") + "; expected a single torch.jit.save archive (one root, no stray records)");
        }
    }

    /**
     * Every tensor of the module tree, by attribute path, in the order a recursive walk gives (each module's entries
     * in turn, a submodule's tensors where it appears), walked with an explicit stack: a module tree as deep as
     * dni.limits.pickle-depth allows must not overflow the thread's stack.
     */
    private static void collect(RestrictedUnpickler.ScriptObject root, String rootPath, Map<String, byte[]> storages,
            List<NamedTensor> out, Map<String, String> storageOf, String source, java.util.Set<Object> seen) {
        java.util.ArrayDeque<java.util.Iterator<Map.Entry<Object, Object>>> entries = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<String> paths = new java.util.ArrayDeque<>();
        enter(root, rootPath, seen, source, entries, paths);
        while (!entries.isEmpty()) {
            java.util.Iterator<Map.Entry<Object, Object>> it = entries.peek();
            if (!it.hasNext()) {
                entries.pop();
                paths.pop();
                continue;
            }
            Map.Entry<Object, Object> e = it.next();
            String name = paths.peek() + e.getKey();
            Object v = e.getValue();
            if (v instanceof RestrictedUnpickler.TensorRef) {
                RestrictedUnpickler.TensorRef t = (RestrictedUnpickler.TensorRef) v;
                NamedTensor tensor = PyTorchCheckpoint.materialize(name, t, storages, source);
                boolean whole = t.offset == 0 && t.storage.numel == tensor.size()
                        && java.util.Arrays.equals(stridesOf(t), TensorBytes.contiguousStrides(tensor.shape()));
                if (!whole || storageOf.containsValue(t.storage.key)) {
                    throw new FormatException(source + ": tensor " + name + " is a view or shares its storage; "
                            + "expected one contiguous storage per tensor");
                }
                out.add(tensor);
                storageOf.put(name, t.storage.key);
            } else if (v instanceof RestrictedUnpickler.ScriptObject) {
                enter((RestrictedUnpickler.ScriptObject) v, name + ".", seen, source, entries, paths);
            }
        }
    }

    private static void enter(RestrictedUnpickler.ScriptObject module, String path, java.util.Set<Object> seen,
            String source, java.util.ArrayDeque<java.util.Iterator<Map.Entry<Object, Object>>> entries,
            java.util.ArrayDeque<String> paths) {
        // A module reached twice would be walked once per path to it: exponential work for a small shared graph.
        if (!seen.add(module)) {
            throw new FormatException(source + ": module " + (path.isEmpty() ? "<root>" : path.substring(0,
                    path.length() - 1)) + " is reached twice in the module tree; expected every submodule once");
        }
        entries.push(module.entrySet().iterator());
        paths.push(path);
    }

    private static long[] stridesOf(RestrictedUnpickler.TensorRef t) {
        long[] s = new long[t.stride.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (Long) t.stride.get(i);
        }
        return s;
    }

    /** The archive's serialized TorchScript code ({@code code/*.py}), which libtorch would run. */
    public Map<String, byte[]> codeRecords() {
        Map<String, byte[]> code = new LinkedHashMap<>();
        records.forEach((name, bytes) -> {
            if (name.startsWith(prefix + "code/") && name.endsWith(".py")) {
                code.put(name, bytes);
            }
        });
        return code;
    }

    public ModelWeights weights() {
        return weights;
    }

    public String source() {
        return source;
    }

    /** The same archive with every tensor replaced by the tensor of the same name in {@code w}. */
    public byte[] withWeights(ModelWeights w) {
        org.dnispark.core.Interpolation.checkCompatible(List.of(weights, w));
        Map<String, byte[]> replaced = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : storageOf.entrySet()) {
            replaced.put(prefix + "data/" + e.getValue(), TensorBytes.encode(w.get(e.getKey())));
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> r : records.entrySet()) {
                    ZipRecords.writeStored(zip, r.getKey(), replaced.getOrDefault(r.getKey(), r.getValue()));
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
