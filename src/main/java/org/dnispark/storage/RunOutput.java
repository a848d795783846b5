package org.dnispark.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's output folder that appears complete or not at all. Everything is written into a hidden staging folder
 * beside the target ({@code _dni-staging-<run id>-<name>}); {@link #commit()} writes {@code _SUCCESS} last and renames
 * the staging folder to the target. A failed run deletes its staging folder. On stores where rename is not atomic
 * (S3A), readers rely on {@code _SUCCESS}: it is written only after every other file.
 */
public final class RunOutput {
    public static final String SUCCESS = "_SUCCESS";

    private final Configuration conf;
    private final Path target;
    private final Path staging;
    private final FileSystem fs;
    private final boolean overwrite;

    public RunOutput(String targetUri, String runId, boolean overwrite, Configuration conf) {
        this.conf = conf;
        this.target = new Path(targetUri);
        this.fs = Storage.fs(target, conf);
        this.overwrite = overwrite;
        Path parent = target.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("output " + targetUri + " has no parent folder");
        }
        this.staging = new Path(parent, "_dni-staging-" + runId + "-" + target.getName());
    }

    /** Fails before any work when the target exists and the policy is to refuse. */
    public void checkTarget() {
        try {
            if (fs.exists(target) && !overwrite) {
                throw new IllegalStateException("output " + target + " already exists; choose another "
                        + "output folder or set dni.output.if-exists = overwrite");
            }
            fs.mkdirs(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + target + ": " + e.getMessage(), e);
        }
    }

    /** URI of a file inside the staging folder. */
    public String file(String relative) {
        return new Path(staging, relative).toString();
    }

    public String stagingUri() {
        return staging.toString();
    }

    public String targetUri() {
        return target.toString();
    }

    public Configuration conf() {
        return conf;
    }

    public void commit() {
        Storage.writeAtomically(file(SUCCESS), new byte[0], conf);
        try {
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new IllegalStateException("output " + target + " appeared during the run; refusing to "
                            + "replace it (dni.output.if-exists = refuse). The finished run is left in " + staging);
                }
                fs.delete(target, true);
            }
            if (!fs.rename(staging, target)) {
                throw new IOException("rename of " + staging + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish output " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes the staging folder after a failure. */
    public void abort() {
        Storage.deleteQuietly(fs, staging);
    }
}
