package org.dnispark.provenance;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.storage.OutputGuard;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The run lifecycle of a command that writes a few files beside each other (interpolate, align, correlate, niqe,
 * train) rather than a Spark run's folder: settings and inputs are read first; then, before any work, {@link #begin} refuses an output
 * that is one of the inputs and applies {@code dni.output.if-exists} to the previous run (refuse, overwrite, or
 * resume: a complete run of the same identity is returned as it is); after the work, {@link #publish} writes the
 * manifest last, which marks the output complete. The Spark jobs follow the same steps with a run folder
 * ({@link org.dnispark.storage.RunOutput}).
 */
public final class CommandRun {
    private final String command;
    private final String outputKey;
    private final String output;
    private final RunOutput.Policy policy;
    private final Configuration conf;
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private RunIdentity identity;
    private String manifestUri;

    /**
     * @param outputKey the setting that names the output, for messages
     * @param output    the output's base URI (the files are {@code output + suffix})
     */
    public CommandRun(String command, String outputKey, String output, RunOutput.Policy policy, Configuration conf) {
        this.command = command;
        this.outputKey = outputKey;
        this.output = output;
        this.policy = policy;
        this.conf = conf;
    }

    /**
     * Before any work: no file this run may write is one of {@code inputs} (by kind, for the message), and the
     * previous run at {@code outputs} is refused, replaced or (resuming, same identity, complete) returned. Returns
     * that run's summary, marked {@code already_complete}, or null to go on. {@code manifestUri} is written last by
     * {@link #publish}.
     */
    public Map<String, Object> begin(RunIdentity identity, List<String> outputs, String manifestUri, List<String> mayWrite,
            Map<String, List<String>> inputs) throws IOException {
        this.identity = identity;
        this.manifestUri = manifestUri;
        OutputGuard.refuseInputs(outputKey, mayWrite, inputs, conf);
        return PreviousRun.check(manifestUri, outputs, policy, identity.fingerprint(), outputKey, conf);
    }

    /** The manifest's common parts: the command, its identity, run id, output and policy, start time. */
    public RunManifest.Builder manifest() {
        if (identity == null) {
            throw new IllegalStateException(command + ": begin() before the manifest");
        }
        return RunManifest.builder(command, identity).runId(identity.fingerprint().substring(0, 16))
                .output(output, policy.name().toLowerCase(Locale.ROOT)).started(started);
    }

    /** Milliseconds since the run started. */
    public long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Writes the manifest, last: it marks the output complete. */
    public void publish(RunManifest manifest) {
        Storage.writeAtomically(manifestUri, manifest.toJson(), conf);
    }
}
