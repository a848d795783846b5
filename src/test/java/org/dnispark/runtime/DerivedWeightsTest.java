package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/** What a network derives from a weight set is made once per set, within the budget, and the sets are told apart. */
class DerivedWeightsTest {
    private static ModelWeights weights(float v) {
        return new ModelWeights("w" + v, List.of(NamedTensor.ofFloats("a", new int[] {4}, DType.FLOAT32,
                new float[] {v, v, v, v})));
    }

    private static Map<String, NamedTensor> doubled(ModelWeights w, AtomicInteger calls) {
        calls.incrementAndGet();
        float[] v = w.get("a").floatValues().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= 2;
        }
        return Map.of("a2", NamedTensor.ofFloats("a2", new int[] {4}, DType.FLOAT32, v));
    }

    @Test
    void eachWeightSetIsDerivedOnceWhileTheBudgetLasts() {
        AtomicInteger calls = new AtomicInteger();
        DerivedWeights d = new DerivedWeights(2 * 16); // two sets of 4 floats
        ModelWeights a = weights(1);
        ModelWeights b = weights(2);
        ModelWeights c = weights(3);
        // equal contents are not the same set: sets are told apart by identity, never by value
        ModelWeights a2 = weights(1);
        for (int cycle = 0; cycle < 3; cycle++) {
            for (ModelWeights w : List.of(a, b, c, a2)) {
                Map<String, NamedTensor> out = d.of(w, x -> doubled(x, calls));
                assertEquals(2 * w.get("a").floatValues()[0], out.get("a2").floatValues()[0]);
            }
        }
        // a and b kept (the first two, never evicted); c and a2 derived at each of the three cycles
        assertEquals(2 + 2 * 3, calls.get());
        assertEquals(2, d.kept());
        assertSame(d.of(a, x -> doubled(x, calls)), d.of(a, x -> doubled(x, calls)));
    }
}
