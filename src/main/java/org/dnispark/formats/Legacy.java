package org.dnispark.formats;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy (pre-1.6) torch.save format: a sequence of pickles (magic number, protocol version, system info, the
 * object, the list of storage keys) followed by each storage as an 8-byte little-endian element count and its raw
 * bytes. Read with the same restricted unpickler.
 */
final class Legacy {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private Legacy() {
    }

    static PyTorchCheckpoint.Parsed read(byte[] file, String source, ReadLimits limits) {
        RestrictedUnpickler p = new RestrictedUnpickler(file, 0, source, limits);
        Object magic = p.load();
        if (!MAGIC.equals(magic instanceof Long ? BigInteger.valueOf((Long) magic) : magic)) {
            throw new FormatException(source + ": a bare pickle, not a torch.save file (no legacy magic number)");
        }
        p.reset();
        Object protocol = p.load();
        if (!Long.valueOf(1001).equals(protocol)) {
            throw new FormatException(source + ": legacy protocol " + protocol + "; expected 1001");
        }
        p.reset();
        Object sysInfo = p.load();
        if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
            throw new FormatException(source + ": big-endian checkpoints are not supported");
        }
        p.reset();
        Object root = p.load();
        p.reset();
        Object keys = p.load();
        if (!(keys instanceof List)) {
            throw new FormatException(source + ": legacy storage key list missing");
        }
        // Element sizes come from the storage types the object's tensors declare.
        Map<String, Integer> elementSize = new LinkedHashMap<>();
        collectStorages(root, elementSize, source,
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int pos = p.position();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (Object k : (List<?>) keys) {
            String key = String.valueOf(k);
            Integer size = elementSize.get(key);
            if (size == null) {
                throw new FormatException(source + ": storage " + key + " is listed but no tensor uses it");
            }
            if (pos + 8 > file.length) {
                throw new FormatException(source + ": truncated before storage " + key);
            }
            long count = b.getLong(pos);
            long remaining = file.length - pos - 8L;
            if (count < 0 || count > remaining / size) {
                throw new FormatException(source + ": storage " + key + " declares " + Long.toUnsignedString(count)
                        + " elements of " + size + " bytes but only " + remaining + " bytes remain (truncated)");
            }
            long bytes = count * size;
            byte[] data = new byte[(int) bytes];
            System.arraycopy(file, pos + 8, data, 0, (int) bytes);
            storages.put(key, data);
            pos += 8 + (int) bytes;
        }
        return new PyTorchCheckpoint.Parsed(root, storages);
    }

    private static void collectStorages(Object o, Map<String, Integer> sizes, String source, java.util.Set<Object> seen) {
        if ((o instanceof Map || o instanceof List) && !seen.add(o)) {
            return; // shared containers are walked once (the unpickler has refused cycles)
        }
        if (o instanceof RestrictedUnpickler.TensorRef) {
            RestrictedUnpickler.StorageRef s = ((RestrictedUnpickler.TensorRef) o).storage;
            sizes.put(s.key, PyTorchCheckpoint.storageDtype(s.type, source, "storage " + s.key).byteSize());
        } else if (o instanceof Map) {
            for (Object v : ((Map<?, ?>) o).values()) {
                collectStorages(v, sizes, source, seen);
            }
        } else if (o instanceof List) {
            for (Object v : (List<?>) o) {
                collectStorages(v, sizes, source, seen);
            }
        }
    }
}
