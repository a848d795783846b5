package org.dnispark.provenance;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The output policy for commands that write a few files rather than a Spark run's folder (interpolate, correlate),
 * with the jobs' meaning: refuse an existing output, overwrite it, or resume: leave a complete output of the same
 * configuration as it is and refuse one of another, so that two runs are never mixed.
 */
public final class PreviousRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PreviousRun() {
    }

    /**
     * Checks {@code outputs} before any work. Returns the earlier run's summary (marked {@code already_complete}) when
     * resuming finds it complete, else null to go on; throws when the policy refuses.
     */
    public static Map<String, Object> check(String manifest, List<String> outputs, RunOutput.Policy policy,
            String fingerprint, String key, Configuration conf) throws IOException {
        String existing = outputs.stream().filter(o -> Storage.exists(o, conf)).findFirst().orElse(null);
        if (existing == null || policy == RunOutput.Policy.OVERWRITE) {
            return null;
        }
        if (policy == RunOutput.Policy.REFUSE) {
            throw new IllegalStateException("output " + existing + " already exists; choose another " + key
                    + " or set dni.output.if-exists = overwrite (replace it) or resume (keep it when it is this "
                    + "configuration's)");
        }
        if (!Storage.exists(manifest, conf)) {
            return null; // an unfinished earlier run: its files are replaced
        }
        JsonNode previous = JSON.readTree(Storage.readAll(manifest, conf));
        if (fingerprint == null || !fingerprint.equals(previous.path("fingerprint").asText())) {
            throw new IllegalStateException("output " + manifest + " holds a run of another configuration "
                    + "(fingerprint " + previous.path("fingerprint").asText("none") + ", this run " + fingerprint
                    + "); resuming would mix two runs. Choose another " + key + " or dni.output.if-exists = "
                    + "overwrite");
        }
        Map<String, Object> summary = JSON.convertValue(previous.path("summary"),
                new TypeReference<Map<String, Object>>() { });
        summary.put("already_complete", true);
        return summary;
    }
}
