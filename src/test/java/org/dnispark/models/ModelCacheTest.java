package org.dnispark.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * One model-cache rule for scripts, jobs and tests (issue 24): the folder {@code jobs/fetch-models.sh} fills is the
 * folder the JVM reads, for a {@code HOME} that is not the account's home and with or without {@code DNI_MODEL_CACHE}.
 */
class ModelCacheTest {
    @Test
    void theRule() {
        assertEquals(Path.of("/named/cache"), ModelCache.defaultFolder(Map.of("DNI_MODEL_CACHE", "/named/cache",
                "HOME", "/runner"), "/root"));
        assertEquals(Path.of("/runner/.cache/dni-spark/models"), ModelCache.defaultFolder(Map.of("DNI_MODEL_CACHE",
                " ", "HOME", "/runner"), "/root"));
        assertEquals(Path.of("/runner/.cache/dni-spark/models"), ModelCache.defaultFolder(Map.of("HOME", "/runner"),
                "/root"));
        assertEquals(Path.of("/root/.cache/dni-spark/models"), ModelCache.defaultFolder(Map.of(), "/root"));
    }

    @Test
    void fetchModelsFillsTheFolderTheJvmReads() throws IOException, InterruptedException {
        String account = System.getProperty("user.home");
        for (Map<String, String> env : java.util.List.of(Map.of("HOME", "/tmp/not-the-account-home"),
                Map.of("HOME", account), Map.of("HOME", "/tmp/h", "DNI_MODEL_CACHE", "/tmp/elsewhere/models"),
                Map.of("HOME", "/tmp/h", "DNI_MODEL_CACHE", ""))) {
            ProcessBuilder pb = new ProcessBuilder("bash", "jobs/fetch-models.sh", "--where");
            Map<String, String> e = pb.environment();
            e.remove("DNI_MODEL_CACHE");
            e.putAll(env);
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor(), out);
            Map<String, String> full = new HashMap<>(env);
            assertEquals(ModelCache.defaultFolder(full, account).toString(), out, "environment " + env);
        }
    }
}
