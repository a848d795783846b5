package org.dnispark.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * Limits that are limits (issue 28): whatever the configured limits allow, an allocation larger than the heap is
 * refused, naming the file and the heap, before it is attempted.
 */
class StorageLimitsTest {
    @Test
    void anAllocationBeyondTheHeapIsRefusedNamingTheFileAndTheHeap() {
        long beyond = Runtime.getRuntime().maxMemory() + (64L << 20);
        String m = assertThrows(IOException.class, () -> Storage.requireHeap(beyond, "s3a://b/huge.pth",
                "reading it whole")).getMessage();
        assertTrue(m.contains("s3a://b/huge.pth") && m.contains("reading it whole") && m.contains(beyond + " bytes")
                && m.contains("-Xmx"), m);
    }

    @Test
    void smallAllocationsAreNotChecked() throws IOException {
        Storage.requireHeap(1 << 20, "small", "reading it whole");
    }
}
