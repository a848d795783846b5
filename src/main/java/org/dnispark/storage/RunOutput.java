package org.dnispark.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's output folder that appears complete or not at all. Everything is written into a hidden staging folder
 * beside the target ({@code _dni-staging-<key>-<name>}); {@link #commit()} writes {@code _SUCCESS} last and renames the
 * staging folder to the target. On stores where rename is not atomic (S3A), readers rely on {@code _SUCCESS}: it is
 * written only after every other file.
 *
 * <p>Policies for an existing target: {@link Policy#REFUSE} fails, {@link Policy#OVERWRITE} replaces it on commit,
 * {@link Policy#RESUME} keeps a failed run's staging folder (keyed by the run's configuration fingerprint) so that
 * the next run with the same configuration continues it; a failed run under the other policies deletes its staging.
 *
 * <p>One run at a time per target: {@link #lock()} (or {@link #openStaging}) takes an {@link OutputLock} beside the
 * target, and {@link #commit()} or {@link #abort()} gives it back. A second run on the same target fails at once,
 * naming the lock and its owner; a lock whose owner process is gone is taken over. Holding it, the run also removes
 * staging folders that killed runs (not resumable ones) left behind.
 */
public final class RunOutput {
    public static final String SUCCESS = "_SUCCESS";

    /** What to do when the target exists, and whether partial work survives a failure. */
    public enum Policy { REFUSE, OVERWRITE, RESUME }

    private final Configuration conf;
    private final Path target;
    private final FileSystem fs;
    private final Policy policy;
    private Path staging;
    private OutputLock lock;
    private boolean resumed;
    private final java.util.List<String> removedStaging = new java.util.ArrayList<>();
    /** Staging keys: a run id (yyyyMMddTHHmmssZ-8 hex), a resume fingerprint, or correlate's fingerprint-nanotime. */
    private static final java.util.regex.Pattern STAGING = java.util.regex.Pattern.compile(
            "_dni-staging-(\\d{8}T\\d{6}Z-[0-9a-f]{8}|resume-[0-9a-f]{16}|[0-9a-f]{16}-[0-9a-f]+)-(.+)");

    public RunOutput(String targetUri, Policy policy, Configuration conf) {
        this.conf = conf;
        this.target = new Path(targetUri);
        this.fs = Storage.fs(target, conf);
        this.policy = policy;
        if (target.getParent() == null) {
            throw new IllegalArgumentException("output " + targetUri + " has no parent folder");
        }
    }

    public Policy policy() {
        return policy;
    }

    public boolean targetExists() {
        try {
            return fs.exists(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check output " + target + ": " + e.getMessage(), e);
        }
    }

    /** Fails before any work when the target exists and the policy is to refuse. */
    public void refuseExisting() {
        if (policy == Policy.REFUSE && targetExists()) {
            throw new IllegalStateException("output " + target + " already exists; choose another output folder or "
                    + "set dni.output.if-exists = overwrite (replace it) or resume (continue the same configuration)");
        }
    }

    /**
     * Creates (or, under RESUME, reopens) the staging folder. {@code key} is a fresh run id, or the configuration
     * fingerprint under RESUME so that a rerun finds the folder again.
     */
    public void openStaging(String key) {
        lock();
        staging = new Path(target.getParent(), "_dni-staging-" + key + "-" + target.getName());
        try {
            removeStaleStaging();
            resumed = policy == Policy.RESUME && fs.exists(staging);
            if (!fs.mkdirs(staging)) {
                throw new IOException("cannot create " + staging);
            }
        } catch (IOException | RuntimeException e) {
            releaseLock();
            throw new UncheckedIOException("cannot prepare output " + target + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Staging folders of earlier runs on this target that did not finish, removed when the lock was taken. */
    public java.util.List<String> removedStaging() {
        return java.util.List.copyOf(removedStaging);
    }

    private void removeStaleStaging() throws IOException {
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(target.getParent())) {
            java.util.regex.Matcher m = STAGING.matcher(st.getPath().getName());
            // only this target's, and never a resumable one: continuing it is what resume is for
            if (m.matches() && m.group(2).equals(target.getName()) && !m.group(1).startsWith("resume-")) {
                fs.delete(st.getPath(), true);
                removedStaging.add(st.getPath().toString());
                System.err.println("dni: removed " + st.getPath() + ", the staging folder of an earlier run on "
                        + target + " that did not finish");
            }
        }
    }

    /**
     * Takes this target's lock (once; {@link #openStaging} takes it too): call it before any work, since it is also
     * the check that the output can be written at all, made on the driver.
     */
    public void lock() {
        if (lock != null) {
            return;
        }
        try {
            if (!fs.mkdirs(target.getParent())) {
                throw new IOException("cannot create the folder " + target.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write output " + target + ": " + e.getMessage(), e);
        }
        lock = OutputLock.take(fs, conf, target);
    }

    private void releaseLock() {
        if (lock != null) {
            lock.release();
            lock = null;
        }
    }

    /** Whether the staging folder already held a failed run's partial work. */
    public boolean resumed() {
        return resumed;
    }

    /** URI of a file inside the staging folder. */
    public String file(String relative) {
        return new Path(staging, relative).toString();
    }

    /** URI of a file inside the published target. */
    public String targetFile(String relative) {
        return new Path(target, relative).toString();
    }

    /** URI of the published target. */
    public String targetUri() {
        return target.toString();
    }

    public String stagingUri() {
        return staging.toString();
    }

    public Configuration conf() {
        return conf;
    }

    public void commit() {
        try {
            publish();
        } finally {
            releaseLock();
        }
    }

    private void publish() {
        Storage.writeAtomically(file(SUCCESS), new byte[0], conf);
        try {
            if (fs.exists(target)) {
                if (policy == Policy.REFUSE) {
                    throw new IllegalStateException("output " + target + " appeared during the run; refusing to "
                            + "replace it (dni.output.if-exists = refuse). The finished run is left in " + staging);
                }
                fs.delete(target, true);
            }
            if (!fs.rename(staging, target)) {
                throw new IOException("rename of " + staging + " to " + target + " failed");
            }
            // On object stores a rename is copy-then-delete and can leave directory markers (or, on s3proxy's
            // filesystem backend, empty folders) under the old prefix; nothing of the staging folder may remain.
            removeLeftovers(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish output " + target + ": " + e.getMessage(), e);
        }
    }

    /** After a failure: removes the staging folder, except under RESUME, where it is what the next run continues. */
    public void abort() {
        if (staging != null && policy != Policy.RESUME) {
            Storage.deleteQuietly(fs, staging);
            try {
                removeLeftovers(staging);
            } catch (IOException ignored) {
                // best effort after a failure; the original error matters more
            }
        }
        releaseLock();
    }

    /**
     * Deletes what is left of a folder, including prefixes that hold no object: s3proxy's filesystem backend keeps
     * an empty folder when a prefix's objects are deleted out of order (a committer's {@code _temporary}), and lists
     * it, yet S3A finds nothing there to delete. A directory marker put at each such prefix gives the delete
     * something to remove, and the empty folder goes with it.
     */
    private void removeLeftovers(Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        markEmptyPrefixes(dir, 0);
        fs.delete(dir, true);
    }

    private void markEmptyPrefixes(Path dir, int depth) throws IOException {
        org.apache.hadoop.fs.FileStatus[] entries;
        try {
            entries = fs.listStatus(dir);
        } catch (java.io.FileNotFoundException listedButEmpty) {
            fs.mkdirs(dir);
            return;
        }
        for (org.apache.hadoop.fs.FileStatus st : entries) {
            if (st.isDirectory() && depth < 64) {
                markEmptyPrefixes(st.getPath(), depth + 1);
            }
        }
    }

    /**
     * Refuses to replace a target that holds an input of the run (images, ground truth, models): overwrite would
     * delete the run's own inputs. {@code inputs} are URIs; a relative one is taken against the working directory.
     */
    public void refuseToReplaceInputs(java.util.Map<String, String> inputs) {
        if (policy != Policy.OVERWRITE || !targetExists()) {
            return;
        }
        String t = qualified(target) + "/";
        inputs.forEach((what, uri) -> {
            if (uri == null || uri.isBlank()) {
                return;
            }
            String in = qualified(new Path(uri)) + "/";
            if (in.startsWith(t)) {
                throw new IllegalStateException("output " + target + " holds this run's " + what + " (" + uri
                        + "); dni.output.if-exists = overwrite would delete them. Choose an output folder outside "
                        + "the inputs");
            }
        });
    }

    private String qualified(Path p) {
        try {
            return fs.makeQualified(p).toString().replaceAll("/+$", "");
        } catch (IllegalArgumentException otherStore) {
            return p.toString(); // on another file system than the output, so not inside it
        }
    }
}
