package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;

class FilterCorrelationTest {
    @Test
    void pearsonBasics() {
        float[] a = {1, 2, 3, 4};
        float[] b = {2, 4, 6, 8};
        float[] c = {4, 3, 2, 1};
        assertEquals(1.0, FilterCorrelation.pearson(a, 0, b, 0, 4), 1e-12);
        assertEquals(-1.0, FilterCorrelation.pearson(a, 0, c, 0, 4), 1e-12);
        // Hand computed: a = [1, 0, 0], b = [0, 1, 0] -> means 1/3, r = -1/2.
        assertEquals(-0.5, FilterCorrelation.pearson(new float[] {1, 0, 0}, 0, new float[] {0, 1, 0}, 0, 3), 1e-12);
        assertTrue(Double.isNaN(FilterCorrelation.pearson(new float[] {1, 1}, 0, a, 0, 2)));
    }

    @Test
    void perFilterSummary() {
        NamedTensor x = NamedTensor.ofFloats("w", new int[] {2, 3}, DType.FLOAT32, new float[] {1, 2, 3, 1, 2, 3});
        NamedTensor y = NamedTensor.ofFloats("w", new int[] {2, 3}, DType.FLOAT32, new float[] {1, 2, 3, 3, 2, 1});
        FilterCorrelation.LayerSummary s = FilterCorrelation.layer(x, y);
        assertEquals(2, s.filters());
        assertEquals(1.0, s.perFilter()[0], 1e-12);
        assertEquals(-1.0, s.perFilter()[1], 1e-12);
        assertEquals(0.0, s.median(), 1e-12);
        assertEquals(-1.0, s.distribution().min(), 1e-12);
    }

    /** Fine-tuned siblings correlate strongly; the separately trained scale-only model much less (paper Sec. 3). */
    @Test
    void realModelsSeparateCorrelatedFromUncorrelatedPairs() {
        ModelWeights n0 = TestModels.readUpconv7("noise0_scale2.0x").weights();
        ModelWeights n1 = TestModels.readUpconv7("noise1_scale2.0x").weights();
        ModelWeights n3 = TestModels.readUpconv7("noise3_scale2.0x").weights();
        ModelWeights sc = TestModels.readUpconv7("scale2.0x").weights();
        double near = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(n0, n1));
        double far = FilterCorrelation.medianOfLayerMedians(FilterCorrelation.compare(sc, n3));
        List<FilterCorrelation.LayerSummary> layers = FilterCorrelation.compare(n0, n1);
        assertEquals(7, layers.size());
        assertTrue(near > 0.689, "noise0/noise1 median filter correlation " + near);
        assertTrue(far < near - 0.3, "scale2.0x/noise3 " + far + " vs noise0/noise1 " + near);
    }
}
