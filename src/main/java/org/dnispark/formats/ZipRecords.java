package org.dnispark.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive held in memory through its central directory, as PyTorch's own reader does: torch.save writes
 * stored entries with data descriptors, which {@link java.util.zip.ZipInputStream} rejects. ZIP64 aware; every
 * offset and size is bounds-checked and every record's CRC-32 verified, so truncated or tampered archives are errors.
 */
final class ZipRecords {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    private ZipRecords() {
    }

    static Map<String, byte[]> read(byte[] file, String source, ReadLimits limits) {
        return walk(file, source, limits, true);
    }

    /** The records' names, from the central directory alone (nothing is inflated). */
    static java.util.Set<String> names(byte[] file, String source, ReadLimits limits) {
        return walk(file, source, limits, false).keySet();
    }

    private static Map<String, byte[]> walk(byte[] file, String source, ReadLimits limits, boolean extract) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = file.length - 22; i >= Math.max(0, file.length - 22 - 65535); i--) {
            if (b.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new FormatException(source + ": no zip end-of-central-directory record; the archive is truncated or "
                    + "not a torch.save file");
        }
        int comment = b.getShort(eocd + 20) & 0xffff;
        if (eocd + 22L + comment != file.length) {
            throw new FormatException(source + ": " + (file.length - eocd - 22L - comment) + " bytes after the zip's "
                    + "end-of-central-directory record; expected the archive to end there (appended or truncated data)");
        }
        long entries = b.getShort(eocd + 10) & 0xffff;
        long cdSize = b.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = b.getInt(eocd + 16) & 0xffffffffL;
        if (entries == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            int loc = eocd - 20;
            if (loc < 0 || b.getInt(loc) != ZIP64_LOCATOR) {
                throw new FormatException(source + ": ZIP64 archive without its locator record");
            }
            long z = b.getLong(loc + 8);
            if (z < 0 || z > file.length - 56 || b.getInt((int) z) != ZIP64_EOCD) {
                throw new FormatException(source + ": broken ZIP64 end-of-central-directory record");
            }
            entries = b.getLong((int) z + 32);
            cdSize = b.getLong((int) z + 40);
            cdOffset = b.getLong((int) z + 48);
        }
        if (entries < 0 || entries > limits.zipEntries()) {
            throw ReadLimits.exceeded(source, "a zip archive of " + entries + " records", limits.zipEntries(),
                    "zip-entries");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > file.length || cdSize > file.length - cdOffset) {
            throw new FormatException(source + ": central directory [" + cdOffset + ", +" + cdSize
                    + "] lies outside the " + file.length + "-byte file (truncated?)");
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        long total = 0;
        int p = (int) cdOffset;
        for (long e = 0; e < entries; e++) {
            check(p + 46 <= file.length && b.getInt(p) == CENTRAL, source, "central directory entry " + e);
            int method = b.getShort(p + 10) & 0xffff;
            long crc = b.getInt(p + 16) & 0xffffffffL;
            long compressed = b.getInt(p + 20) & 0xffffffffL;
            long size = b.getInt(p + 24) & 0xffffffffL;
            int nameLen = b.getShort(p + 28) & 0xffff;
            int extraLen = b.getShort(p + 30) & 0xffff;
            int commentLen = b.getShort(p + 32) & 0xffff;
            long local = b.getInt(p + 42) & 0xffffffffL;
            check(p + 46 + nameLen + extraLen + commentLen <= file.length, source, "central directory entry " + e);
            String name = new String(file, p + 46, nameLen, StandardCharsets.UTF_8);
            // ZIP64 extra field: replaces the 0xffffffff sizes and offset, in this order.
            for (int x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen;) {
                int id = b.getShort(x) & 0xffff;
                int len = b.getShort(x + 2) & 0xffff;
                int q = x + 4;
                if (id == 0x0001) {
                    if (size == 0xffffffffL && q + 8 <= x + 4 + len) {
                        size = b.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= x + 4 + len) {
                        compressed = b.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= x + 4 + len) {
                        local = b.getLong(q);
                    }
                }
                x += 4 + len;
            }
            p += 46 + nameLen + extraLen + commentLen;
            if (name.endsWith("/")) {
                continue;
            }
            check(local >= 0 && local + 30 <= file.length && b.getInt((int) local) == LOCAL, source,
                    "local header of " + name);
            long data = local + 30 + (b.getShort((int) local + 26) & 0xffff) + (b.getShort((int) local + 28) & 0xffff);
            if (compressed < 0 || size < 0 || data > file.length || compressed > file.length - data) {
                throw new FormatException(source + ": record " + name + " needs " + compressed + " bytes at offset "
                        + data + " but the file has " + file.length + " (truncated)");
            }
            if (out.containsKey(name)) {
                throw new FormatException(source + ": the zip archive holds two records named " + name
                        + "; expected unique names (readers would disagree on which one counts)");
            }
            if (method != 0 && size > Math.max(1L << 16, compressed * limits.zipRatio())) {
                throw ReadLimits.exceeded(source, "record " + name + " inflating " + compressed + " bytes to " + size
                        + " (a ratio of " + size / Math.max(1, compressed) + ")", limits.zipRatio(), "zip-ratio");
            }
            total += size;
            if (total > limits.modelBytes()) {
                throw ReadLimits.exceeded(source, "the zip's records, adding up to more than " + total + " bytes,",
                        limits.modelBytes(), "model-bytes");
            }
            if (!extract) {
                out.put(name, null);
                continue;
            }
            ReadLimits.requireHeap(size, source, "record " + name);
            byte[] bytes;
            if (method == 0) {
                check(compressed == size, source, "stored record " + name + " sizes");
                bytes = Arrays.copyOfRange(file, (int) data, (int) (data + size));
            } else if (method == 8) {
                bytes = inflate(file, (int) data, (int) compressed, (int) size, source, name);
            } else {
                throw new FormatException(source + ": record " + name + " uses compression method " + method
                        + "; expected stored (0) or deflated (8)");
            }
            CRC32 c = new CRC32();
            c.update(bytes);
            if (c.getValue() != crc) {
                throw new FormatException(source + ": record " + name + " fails its CRC-32 check (corrupt)");
            }
            out.put(name, bytes);
        }
        return out;
    }

    /** Writes one uncompressed (stored) entry, as torch.save writes them; its size and CRC go in the local header. */
    static void writeStored(java.util.zip.ZipOutputStream zip, String name, byte[] data) throws java.io.IOException {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
        e.setMethod(java.util.zip.ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] inflate(byte[] file, int offset, int length, int size, String source, String name) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(file, offset, length);
            byte[] out = new byte[size];
            int n = inf.inflate(out);
            if (n != size) {
                throw new FormatException(source + ": record " + name + " inflates to " + n + " of " + size + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new FormatException(source + ": record " + name + " is not valid deflate data");
        } finally {
            inf.end();
        }
    }

    private static void check(boolean ok, String source, String what) {
        if (!ok) {
            throw new FormatException(source + ": broken zip archive at " + what + " (truncated or corrupt)");
        }
    }
}
