package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void invalidConfigurationFailsBeforeSparkStarts() {
        assertEquals(2, Main.run(new String[] {"sweep", "--config", "conf/demo.conf", "dni.sweep.alphas=[2]"}));
        assertEquals(2, Main.run(new String[] {"explode"}));
        assertEquals(2, Main.run(new String[] {}));
        assertEquals(0, Main.run(new String[] {"--help"}));
    }
}
