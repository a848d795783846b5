package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void eachTaskUsesTheGpuSparkAssignedToIt() {
        assertEquals(Device.cpu(), Devices.forTask("cpu", new String[] {"1"}));
        assertEquals(Device.gpu(3), Devices.forTask("gpu", new String[] {"3"}));
        assertEquals(Device.gpu(1), Devices.forTask("gpu", new String[] {" 1", "2"}));
        assertEquals(Device.gpu(0), Devices.forTask("gpu", null), "local mode has no resource scheduling");
        String m = assertThrows(IllegalArgumentException.class,
                () -> Devices.forTask("gpu", new String[] {"GPU-7f3a"})).getMessage();
        assertTrue(m.contains("GPU-7f3a") && m.contains("discovery script"), m);
        assertEquals("gpu", Devices.parseKind(" GPU "));
        assertThrows(IllegalArgumentException.class, () -> Devices.parseKind("tpu"));
    }
}
