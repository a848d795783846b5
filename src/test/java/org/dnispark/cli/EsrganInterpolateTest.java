package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.dnispark.TestModels;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.arch.EsrganLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/dni interpolate on an ESRGAN pair in two layouts (ESRGAN's original model.N file and BSRGAN's RRDB_trunk file):
 * written in the first model's layout by default, or in the one dni.interpolate.layout names, with the values of the
 * canonical interpolation (EsrganLayoutTest checks those against ESRGAN's own code).
 */
class EsrganInterpolateTest {
    @TempDir
    Path tmp;

    @Test
    void readsBothLayoutsAndWritesTheOneAsked() throws Exception {
        Path a = TestModels.fixture("esrgan_orig_x4.pth");
        Path b = TestModels.fixture("esrgan_xinntao_x4.pth");
        ModelWeights expected = Interpolation.lerp(
                EsrganLayout.canonical(TestModels.pth(a)).weights(), EsrganLayout.canonical(TestModels.pth(b)).weights(), 0.3,
                Interpolation.Options.defaults());
        String models = "dni.models=[\"" + a + "\", \"" + b + "\"]";
        for (String layout : new String[] {"", "xinntao", "basicsr", "esrgan"}) {
            String out = tmp.resolve("mix-" + (layout.isEmpty() ? "default" : layout)).toString();
            assertEquals(0, Main.run(new String[] {"interpolate", models, "dni.interpolate.alpha=0.3",
                "dni.interpolate.output=\"" + out + "\"", "dni.interpolate.layout=\"" + layout + "\""}));
            ModelWeights written = TestModels.pth(Path.of(out + ".pth"));
            String first = written.tensors().get(0).name();
            boolean original = layout.isEmpty() || layout.equals("esrgan");
            assertEquals(original ? "model.0.weight" : "conv_first.weight", first, layout);
            assertEquals(layout.equals("xinntao"), written.contains("RRDB_trunk.0.RDB1.conv1.weight"), layout);
            assertEquals(layout.equals("basicsr"), written.contains("body.0.rdb1.conv1.weight"), layout);
            assertEquals(expected.asMap(), EsrganLayout.canonical(written).weights().asMap(), layout);
            assertTrue(Files.readString(Path.of(out + ".json")).contains("\"interpolate\""), layout);
        }
        // a layout that does not exist, and a layout for a model that is not ESRGAN, are refused input (exit 2)
        assertEquals(2, Main.run(new String[] {"interpolate", models, "dni.interpolate.layout=chainner",
            "dni.interpolate.output=\"" + tmp.resolve("bad") + "\""}));
        String srcnn = "dni.models=[\"" + TestModels.fixture("srcnn_a.pth") + "\", \"" + TestModels.fixture(
                "srcnn_b.pth") + "\"]";
        assertEquals(2, Main.run(new String[] {"interpolate", srcnn, "dni.interpolate.layout=esrgan",
            "dni.interpolate.output=\"" + tmp.resolve("srcnn") + "\""}));
        assertTrue(!Files.exists(Path.of(tmp.resolve("srcnn") + ".pth")));
    }
}
