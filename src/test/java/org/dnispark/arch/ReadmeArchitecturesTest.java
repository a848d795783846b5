package org.dnispark.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;

/** The user guide's table of built-in architectures is what the registry prints (jobs/dni architectures). */
class ReadmeArchitecturesTest {
    @Test
    void readmeCarriesTheRegistrysTable() throws IOException {
        String readme = Files.readString(TestModels.projectRoot().resolve("docs/USER-GUIDE.md"));
        String open = "<!-- jobs/dni architectures -->\n";
        int start = readme.indexOf(open);
        int end = readme.indexOf("<!-- end -->", start);
        assertTrue(start >= 0 && end > start, "docs/USER-GUIDE.md has no generated architecture table");
        assertEquals(ArchitectureRegistry.markdownTable(), readme.substring(start + open.length(), end),
                "regenerate it with jobs/dni architectures");
    }
}
