package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FineTuningSeriesTest {
    static ModelWeights model(long seed) {
        Random r = new Random(seed);
        float[] w = new float[4 * 2 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] b = {0.1f, 0.2f, 0.3f, 0.4f};
        return new ModelWeights("m" + seed, List.of(NamedTensor.ofFloats("conv.weight", new int[] {4, 2, 3, 3},
                DType.FLOAT32, w), NamedTensor.ofFloats("conv.bias", new int[] {4}, DType.FLOAT32, b)));
    }

    @Test
    void anExactlyInterpolatedMiddleModelMatchesItsInterpolation() {
        ModelWeights first = model(1);
        ModelWeights last = model(2);
        ModelWeights middle = Interpolation.lerp(first, last, 0.3, Interpolation.Options.defaults());
        ModelWeights unrelated = model(3);
        List<FineTuningSeries.Point> points = FineTuningSeries.analyse(List.of(first, middle, unrelated, last),
                new double[] {0.3, 0.6});
        assertEquals(2, points.size()); // one weight tensor, two intermediate models
        FineTuningSeries.Point p = points.get(0);
        assertEquals("conv.weight", p.tensor());
        assertEquals(1.0, p.medianVsInterpolated(), 1e-6);
        assertEquals(0.0, p.relativeDistanceToInterpolated(), 1e-6);
        assertTrue(p.medianVsFirst() > p.medianVsLast(), "alpha 0.3 is nearer the first model");
        FineTuningSeries.Point q = points.get(1);
        assertTrue(q.medianVsInterpolated() < 0.9 && q.relativeDistanceToInterpolated() > 0.5, q.toString());
    }

    @Test
    void wrongAlphaCountsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuningSeries.analyse(
                List.of(model(1), model(2), model(3)), new double[] {0.1, 0.2}));
        assertTrue(e.getMessage().contains("needs 1 alphas"), e.getMessage());
    }
}
