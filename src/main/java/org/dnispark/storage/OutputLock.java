package org.dnispark.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One run at a time per output: a file beside the output ({@code _dni-lock-<name>}) holding its owner's host,
 * process id and start time, created exclusively (the operating system's {@code O_EXCL} for local paths, Hadoop's
 * create-if-absent elsewhere, which is as strong as the store's conditional create). A lock whose owner died on
 * this host, or one this very process left because its store was away when it tried to delete it, is taken over;
 * any other is an error naming the lock and its owner.
 */
final class OutputLock {
    private static final Pattern OWNER = Pattern.compile("host=(\\S+) pid=(\\d+)");
    /** Locks this JVM holds now: one of this process's own that is not among them was left by a failed release. */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private final FileSystem fs;
    private final Path file;

    private OutputLock(FileSystem fs, Path file) {
        this.fs = fs;
        this.file = file;
    }

    static OutputLock take(FileSystem fs, Configuration conf, Path target) {
        Path file = new Path(target.getParent(), "_dni-lock-" + target.getName());
        String me = owner();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                createExclusively(fs, file, me);
                HELD.add(file.toString());
                return new OutputLock(fs, file);
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException | java.nio.file.FileAlreadyExistsException e) {
                String holder = read(file, conf);
                if (attempt == 0 && (isStale(holder, me) || isOwnLeftover(holder, me, file))) {
                    Storage.deleteQuietly(fs, file);
                    continue;
                }
                throw new IllegalStateException("output " + target + " is in use by another run (" + holder
                        + "; lock file " + file + "): two runs on one output would mix their results. Wait for that "
                        + "run, or delete the lock file if it is gone");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write output " + target + " (creating its lock file in "
                        + target.getParent() + "): " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("output " + target + ": its lock file " + file + " came back while it was "
                + "being taken over; another run is starting on it");
    }

    void release() {
        HELD.remove(file.toString());
        Storage.deleteQuietly(fs, file);
    }

    private static String owner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return "host=" + host + " pid=" + ProcessHandle.current().pid() + " started=" + java.time.Instant.now();
    }

    private static void createExclusively(FileSystem fs, Path file, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        java.io.File local = Storage.localFile(fs, file);
        if (local != null) {
            java.nio.file.Files.write(local.toPath(), bytes, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            return;
        }
        try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
        }
    }

    private static String read(Path file, Configuration conf) {
        try {
            return new String(Storage.readAll(file.toString(), conf), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            return "owner unknown";
        }
    }

    /** A lock written on this host by a process that no longer runs. */
    static boolean isStale(String holder, String me) {
        Matcher h = OWNER.matcher(holder);
        Matcher m = OWNER.matcher(me);
        if (!h.find() || !m.find() || !h.group(1).equals(m.group(1))) {
            return false;
        }
        return ProcessHandle.of(Long.parseLong(h.group(2))).map(p -> !p.isAlive()).orElse(true);
    }

    /** This process's lock that no run of it holds: an earlier run could not delete it (its store was away). */
    private static boolean isOwnLeftover(String holder, String me, Path file) {
        Matcher h = OWNER.matcher(holder);
        Matcher m = OWNER.matcher(me);
        return h.find() && m.find() && h.group().equals(m.group()) && !HELD.contains(file.toString());
    }
}
