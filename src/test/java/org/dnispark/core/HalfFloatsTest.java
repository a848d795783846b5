package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void everyHalfRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.halfToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0);
                continue;
            }
            assertEquals(h, HalfFloats.floatToHalf(f) & 0xffff, "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void knownValuesAndRoundToNearestEven() {
        assertEquals(1.0f, HalfFloats.halfToFloat((short) 0x3c00));
        assertEquals(65504f, HalfFloats.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.halfToFloat((short) 0x0001));
        // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even one (1).
        assertEquals(0x3c00, HalfFloats.floatToHalf(1f + 0x1p-11f));
        assertEquals(0x3c01, HalfFloats.floatToHalf(1f + 0x1p-11f + 0x1p-20f));
        assertEquals(0x7c00, HalfFloats.floatToHalf(70000f));
        assertEquals(0x0001, HalfFloats.floatToHalf(0x1p-24f));
        assertEquals(0, HalfFloats.floatToHalf(0x1p-26f));
    }

    @Test
    void bfloat16() {
        assertEquals(1.0f, HalfFloats.bfloat16ToFloat((short) 0x3f80));
        assertEquals((short) 0x3f80, HalfFloats.floatToBfloat16(1.0f));
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: rounds to even (1).
        assertEquals((short) 0x3f80, HalfFloats.floatToBfloat16(1f + 0x1p-8f));
        assertEquals((short) 0x3f81, HalfFloats.floatToBfloat16(1f + 0x1p-8f + 0x1p-16f));
        assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(Float.NaN))));
    }
}
