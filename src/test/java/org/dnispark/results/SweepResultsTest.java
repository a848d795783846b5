package org.dnispark.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * The sweep's results type against the files it must read: one from before the metric plug-ins (no metric list, the
 * dip only in dB, no alpha on the preferences) and broken ones. Files the sweep writes today are checked key for key
 * by the Spark tests ({@code SparkJobsTest.sweepSummary}).
 */
class SweepResultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String coefficient(int index, double alpha, double value) {
        return "{\"index\":" + index + ",\"label\":\"" + alpha + "\",\"alpha\":" + alpha + ",\"coefficients\":["
                + (1 - alpha) + "," + alpha + "],\"mean_psnr_rgb\":" + value + ",\"mean_psnr_y\":" + value
                + ",\"images\":2,\"psnr_y_spread\":{\"std\":0.1,\"min\":1,\"q1\":2,\"median\":3,\"q3\":4,\"max\":5}}";
    }

    private static JsonNode old() throws Exception {
        return JSON.readTree("{\"method\":\"dni\",\"crop_border\":2,\"images\":2,\"rejected\":0,\"best\":"
                + coefficient(1, 1.0, 31) + ",\"first\":" + coefficient(0, 0.0, 30) + ",\"last\":"
                + coefficient(1, 1.0, 31) + ",\"dip_below_endpoints_db\":0.25,\"max_neighbour_step_db\":1,"
                + "\"per_coefficient\":[" + coefficient(0, 0.0, 30) + "," + coefficient(1, 1.0, 31) + "],"
                + "\"best_per_image\":[{\"index\":0,\"label\":\"0.0\",\"images\":0}],\"worst_images\":[]}");
    }

    @Test
    void aSummaryFromBeforeTheMetricPlugInsReadsAsPsnrYInDecibels() throws Exception {
        SweepResults s = SweepResults.of(old());
        assertEquals("psnr_y", s.metric());
        assertEquals("higher", s.metricBetter());
        assertEquals("dB", s.metricUnit());
        assertEquals(0.25, s.dipBelowEndpoints());
        assertEquals(1.0, s.maxNeighbourStep());
        assertEquals(31.0, s.best().mean("psnr_y"));
        assertTrue(Double.isNaN(s.best().mean("ssim_y")), "not scored then");
        assertEquals(java.util.List.of("psnr_rgb", "psnr_y"), s.scoredColumns());
        assertEquals(5.0, s.perCoefficient().get(0).spreads().get("psnr_y").max());
        assertTrue(s.alongAlpha());
        assertNull(s.bestPerImage().get(0).alpha());
        assertNull(s.search());
        // written back, it gains the unit-free names beside the dB ones
        JsonNode again = s.toJson();
        assertEquals(0.25, again.get("dip_below_endpoints").asDouble());
        assertEquals(0.25, again.get("dip_below_endpoints_db").asDouble());
    }

    @Test
    void aMetricWithoutDecibelsHasNoDecibelTwins() throws Exception {
        SweepResults s = SweepResults.of(old());
        SweepResults niqe = new SweepResults(s.method(), "niqe", "lower", "", s.metrics(), s.cropBorder(), s.images(),
                s.rejected(), s.best(), s.first(), s.last(), 0.5, 0.1, s.perCoefficient(), null, null, null,
                s.bestPerImage(), s.worstImages(), null);
        JsonNode j = niqe.toJson();
        assertFalse(j.has("dip_below_endpoints_db"));
        assertTrue(j.get("per_image_best_mean").isNull(), "an uncomputed figure stays visible as null");
        assertEquals(j.toString(), SweepResults.of(j).toJson().toString());
    }

    @Test
    void aSummaryWithoutRowsOrHeadlineIsRefusedByName() throws Exception {
        String none = assertThrows(IllegalArgumentException.class,
                () -> SweepResults.of(JSON.readTree("{\"best\":{}}"))).getMessage();
        assertTrue(none.contains("per_coefficient"), none);
        String noBest = assertThrows(IllegalArgumentException.class, () -> SweepResults.of(JSON.readTree(
                "{\"per_coefficient\":[" + coefficient(0, 0.0, 30) + "]}"))).getMessage();
        assertTrue(noBest.contains("best"), noBest);
        String noLabel = assertThrows(IllegalArgumentException.class, () -> SweepResults.of(JSON.readTree(
                "{\"per_coefficient\":[{\"index\":0}],\"best\":{},\"first\":{},\"last\":{}}"))).getMessage();
        assertTrue(noLabel.contains("label"), noLabel);
    }
}
