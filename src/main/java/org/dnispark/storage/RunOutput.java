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
    private boolean resumed;

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
        staging = new Path(target.getParent(), "_dni-staging-" + key + "-" + target.getName());
        try {
            resumed = policy == Policy.RESUME && fs.exists(staging);
            fs.mkdirs(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + target + ": " + e.getMessage(), e);
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
            if (fs.exists(staging)) {
                fs.delete(staging, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish output " + target + ": " + e.getMessage(), e);
        }
    }

    /** After a failure: removes the staging folder, except under RESUME, where it is what the next run continues. */
    public void abort() {
        if (staging != null && policy != Policy.RESUME) {
            Storage.deleteQuietly(fs, staging);
        }
    }
}
