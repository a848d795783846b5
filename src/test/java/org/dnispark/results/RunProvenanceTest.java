package org.dnispark.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;

/**
 * The manifest's writer ({@link RunManifest}) and the report's reader ({@link RunProvenance}) through the shared
 * model and coefficient types: what is written is what is read, and an older manifest still reads.
 */
class RunProvenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void whatTheManifestWritesIsWhatTheReportReads() throws Exception {
        List<ModelEntry> models = List.of(
                new ModelEntry("models/a.pth", "pytorch", List.of(new ModelEntry.FileDigest("file:/m/a.pth", "aa")),
                        12, 3456),
                new ModelEntry("models/b.param", "ncnn", List.of(new ModelEntry.FileDigest("file:/m/b.param", "b1"),
                        new ModelEntry.FileDigest("file:/m/b.bin", "b2")), 12, 3456));
        List<CoefficientEntry> coefficients = List.of(
                new CoefficientEntry(0, "0.0", 0.0, List.of(1.0, 0.0), null),
                new CoefficientEntry(1, "path 1", null, List.of(0.25, 0.5, 0.25),
                        JSON.readTree("{\"rules\":[{\"layers\":\"conv_first.*\",\"alpha\":0.5}]}")));
        RunIdentity identity = RunIdentity.builder("sweep").settings(Map.of("k", "v")).models(List.of("aa", "b1", "b2"))
                .build();
        byte[] written = RunManifest.builder("sweep", identity).runId("r1").output("s3a://b/out", "refuse")
                .started(Instant.parse("2026-12-05T00:00:00Z")).models(models).detail("network", "RRDBNet(x4)")
                .detail("method", "dni").detail("coefficients", coefficients)
                .detail("alpha_convention", "theta = (1 - alpha) * models[0] + alpha * models[1]")
                .detail("degradation", List.of("bicubic-down(4)")).detail("seed", 7)
                .detail("spark", Map.of("master", "local[2]")).summary(Map.of()).timings(Map.of())
                .config(JSON.createObjectNode()).build().toJson();
        RunProvenance read = RunProvenance.of(JSON.readTree(written));
        assertEquals("sweep", read.job());
        assertEquals("r1", read.runId());
        assertEquals("s3a://b/out", read.output());
        assertEquals(identity.fingerprint(), read.fingerprint());
        assertEquals("2026-12-05T00:00:00Z", read.started());
        assertFalse(read.finished().isEmpty());
        assertEquals(models, read.models());
        assertEquals(List.of("aa", "b1", "b2"), read.modelDigests());
        assertEquals(coefficients, read.coefficients());
        assertEquals(List.of("bicubic-down(4)"), read.degradation());
        assertEquals("7", read.seed());
        assertEquals("RRDBNet(x4)", read.network());
        assertEquals("local[2]", read.spark().path("master").asText());
        assertFalse(read.versions().isEmpty());
    }

    @Test
    void anOlderManifestWithOneDigestPerModelAndNoDegradationStillReads() throws Exception {
        JsonNode old = JSON.readTree("{\"job\":\"transition\",\"models\":[{\"reference\":\"a.pth\",\"format\":"
                + "\"pytorch\",\"sha256\":\"cafe\"}],\"coefficients\":[{\"index\":0,\"label\":\"0.5\",\"alpha\":0.5,"
                + "\"coefficients\":[0.5,0.5]}]}");
        RunProvenance read = RunProvenance.of(old);
        assertEquals(List.of(new ModelEntry.FileDigest(null, "cafe")), read.models().get(0).files());
        assertEquals(0.5, read.coefficients().get(0).alpha());
        assertNull(read.degradation());
        assertNull(read.spark());
        assertEquals("", read.gitCommit());
    }

    @Test
    void aCoefficientWithoutItsLabelIsRefusedByName() throws Exception {
        JsonNode broken = JSON.readTree("{\"job\":\"transition\",\"coefficients\":[{\"index\":0}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunProvenance.of(broken));
        assertEquals(true, e.getMessage().contains("label"), e.getMessage());
    }
}
