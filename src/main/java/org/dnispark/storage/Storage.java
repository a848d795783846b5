package org.dnispark.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reading and writing through Hadoop FileSystem URIs (local paths, {@code file://}, {@code s3a://}, {@code hdfs://}).
 * Files are written to a temporary name and renamed, so a reader never sees a half-written file under its final name.
 */
public final class Storage {
    /** Largest single file read into memory (model weights, images): 2 GiB minus a little. */
    public static final long MAX_READ_BYTES = Integer.MAX_VALUE - 64;

    private Storage() {
    }

    /** A Hadoop configuration from plain key/value pairs (what executors receive). */
    public static Configuration configuration(Map<String, String> entries) {
        Configuration conf = new Configuration();
        entries.forEach(conf::set);
        return conf;
    }

    public static FileSystem fs(Path p, Configuration conf) {
        try {
            FileSystem fs = p.getFileSystem(conf);
            // The local file system would write a .crc file beside every output; users do not want those.
            fs.setWriteChecksum(false);
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + p + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(String uri, Configuration conf) {
        Path p = new Path(uri);
        try {
            return fs(p, conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + uri + ": " + e.getMessage(), e);
        }
    }

    public static byte[] readAll(String uri, Configuration conf) throws IOException {
        return readAll(uri, conf, MAX_READ_BYTES, null);
    }

    /**
     * Reads a whole regular file of at most {@code maxBytes} (named with {@code limitKey}, the setting that raises
     * it, in the error). Folders, FIFOs, devices and sockets are refused before they are opened: reading one could
     * block forever or never end.
     */
    public static byte[] readAll(String uri, Configuration conf, long maxBytes, String limitKey) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = fs(p, conf);
        FileStatus st;
        try {
            st = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(uri + ": no such file");
        }
        requireRegularFile(fs, st, uri);
        long limit = Math.min(maxBytes, MAX_READ_BYTES);
        if (st.getLen() > limit) {
            throw new IOException(uri + ": " + st.getLen() + " bytes is larger than the " + limit + "-byte limit for "
                    + "one file" + (limitKey == null ? "" : " (" + limitKey + ")"));
        }
        requireHeap(st.getLen(), uri, "reading it whole");
        try (InputStream in = fs.open(p)) {
            byte[] data = in.readNBytes((int) st.getLen());
            if (data.length != st.getLen() || in.read() != -1) {
                throw new IOException(uri + ": the file changed while it was read (" + st.getLen() + " bytes listed)");
            }
            return data;
        }
    }

    /** Refuses an allocation the JVM cannot make ({@link org.dnispark.core.Heap}), naming {@code what}. */
    public static void requireHeap(long bytes, String source, String what) throws IOException {
        String shortfall = org.dnispark.core.Heap.shortfall(bytes);
        if (shortfall != null) {
            throw new IOException(source + ": " + what + " " + shortfall);
        }
    }

    /**
     * Refuses anything but a regular file. Hadoop's local file system reports a FIFO or a device as a file, so
     * local paths are asked of the operating system itself.
     */
    public static void requireRegularFile(FileSystem fs, FileStatus st, String uri) throws IOException {
        if (st.isDirectory()) {
            throw new IOException(uri + ": is a folder, expected a file");
        }
        java.io.File local = localFile(fs, st.getPath());
        if (local != null) {
            java.nio.file.Path file = local.toPath();
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new IOException(uri + ": is not a regular file (a FIFO, device or socket?); expected a file");
            }
        }
    }

    /** The operating system's file behind a path of Hadoop's local file system; null on any other store. */
    static java.io.File localFile(FileSystem fs, Path p) {
        return fs instanceof org.apache.hadoop.fs.LocalFileSystem l ? l.pathToFile(p)
                : fs instanceof org.apache.hadoop.fs.RawLocalFileSystem r ? r.pathToFile(p) : null;
    }

    /** Writes bytes under a temporary sibling name, then renames it into place (replacing an older file). */
    public static void writeAtomically(String uri, byte[] data, Configuration conf) {
        writeAtomically(uri, out -> out.write(data), conf);
    }

    /** Streams to a file the same way (temporary name, then rename). */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Streams to a temporary sibling, then renames it into place (replacing an older file), so that a reader never
     * sees a half-written file under its final name. The temporary name is short whatever the target's (a name near
     * the 255-byte limit must still leave room for it) and starts with a dot, so listings skip it.
     */
    public static void writeAtomically(String uri, Writer writer, Configuration conf) {
        Path target = new Path(uri);
        FileSystem fs = fs(target, conf);
        Path tmp = new Path(target.getParent(), ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                writer.write(out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename of " + tmp + " to " + target + " failed");
            }
        } catch (IOException e) {
            deleteQuietly(fs, tmp);
            throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
    }

    /** Files (not folders) directly in {@code dir} whose extension is one of {@code extensions}, sorted by name. */
    public static List<String> listFiles(String dir, List<String> extensions, Configuration conf) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = fs(p, conf);
        FileStatus[] entries;
        try {
            entries = fs.listStatus(p);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(dir + ": no such folder");
        }
        List<String> out = new ArrayList<>();
        for (FileStatus st : entries) {
            String name = st.getPath().getName();
            int dot = name.lastIndexOf('.');
            if (st.isFile() && !name.startsWith(".") && !name.startsWith("_") && dot > 0
                    && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                out.add(st.getPath().toString());
            }
        }
        out.sort(null);
        return out;
    }

    /** Deletes a file or folder (recursively); a missing one is fine. */
    public static void delete(String uri, Configuration conf) {
        Path p = new Path(uri);
        try {
            fs(p, conf).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + uri + ": " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException | RuntimeException ignored) {
            // best effort cleanup; the original error matters more
        }
    }
}
