package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void invalidConfigurationFailsBeforeSparkStarts() {
        assertEquals(2, Main.run(new String[] {"sweep", "--config", "conf/demo.conf", "dni.sweep.alphas=[2]"}));
        assertEquals(2, Main.run(new String[] {"explode"}));
        assertEquals(2, Main.run(new String[] {}));
        assertEquals(0, Main.run(new String[] {"--help"}));
    }

    @Test
    void aMissingEventLogFolderIsAConfigurationErrorBeforeSparkStarts(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        // Spark does not create the folder and would fail with a stack trace; the run refuses it by name, exit 2
        assertEquals(2, Main.run(new String[] {"sweep", "--config", "conf/demo.conf", "dni.sweep.output=\""
                + dir.resolve("out") + "\"", "dni.spark.event-log=\"file:" + dir.resolve("no-such-folder") + "\""}));
        assertTrue(!java.nio.file.Files.exists(dir.resolve("out")) && !java.nio.file.Files.exists(
                dir.resolve("no-such-folder")));
    }

    @Test
    void trainCommandRunsAndRejectsBadSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // no training folder, an unknown architecture, a folder that does not exist: usage errors, exit 2
        assertEquals(2, Main.run(new String[] {"train", "dni.train.output=" + dir.resolve("a")}));
        assertEquals(2, Main.run(new String[] {"train", "dni.train.images=[demo/images]", "dni.train.architecture=vgg"}));
        assertEquals(2, Main.run(new String[] {"train", "dni.train.images=[" + dir.resolve("none") + "]",
            "dni.train.output=" + dir.resolve("b")}));
        assertEquals(0, Main.run(new String[] {"train", "dni.train.images=[demo/images]", "dni.train.steps=3",
            "dni.train.patch-size=16", "dni.train.batch-size=2", "dni.train.torch-threads=1",
            "dni.train.output=" + dir.resolve("c")}));
        assertTrue(java.nio.file.Files.exists(dir.resolve("c.safetensors")));
        // the same output again is refused (exit 1: a run-time refusal, not a usage error)
        assertEquals(1, Main.run(new String[] {"train", "dni.train.images=[demo/images]", "dni.train.steps=3",
            "dni.train.patch-size=16", "dni.train.batch-size=2", "dni.train.output=" + dir.resolve("c")}));
    }
}
