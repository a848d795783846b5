package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

import org.dnispark.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output guard of the commands that write files (issue 28): interpolate, align and niqe refuse an output that is
 * one of their inputs (exit 2) before writing anything, and the input stays as it was.
 */
class CommandOutputGuardTest {
    @TempDir
    Path tmp;

    Path copy(String fixture, String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.copy(TestModels.fixture(fixture), p);
        return p;
    }

    @Test
    void interpolateAndAlignRefuseToWriteOverTheirModels() throws Exception {
        Path a = copy("srcnn_a.pth", "a.pth");
        Path b = copy("srcnn_b.pth", "b.pth");
        byte[] before = Files.readAllBytes(a);
        String models = "dni.models=[\"" + a + "\", \"" + b + "\"]";
        // refuse (the default) already stops at the existing file; overwrite, which would replace it, is refused too
        assertEquals(1, Main.run(new String[] {"interpolate", models, "dni.interpolate.alpha=0.5",
            "dni.interpolate.output=\"" + tmp.resolve("a") + "\""}));
        assertEquals(2, Main.run(new String[] {"interpolate", models, "dni.interpolate.alpha=0.5",
            "dni.output.if-exists=overwrite", "dni.interpolate.output=\"" + tmp.resolve("a") + "\""}));
        assertArrayEquals(before, Files.readAllBytes(a));
        assertFalse(Files.exists(tmp.resolve("a.safetensors")) || Files.exists(tmp.resolve("a.json")));

        byte[] beforeB = Files.readAllBytes(b);
        assertEquals(2, Main.run(new String[] {"align", models, "dni.output.if-exists=overwrite",
            "dni.align.output=\"" + tmp.resolve("b") + "\""}));
        assertArrayEquals(beforeB, Files.readAllBytes(b));
        assertFalse(Files.exists(tmp.resolve("b.safetensors")) || Files.exists(tmp.resolve("b.json")));
    }

    @Test
    void niqeRefusesToWriteOverAnImageItScores() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path photo = images.resolve("astronaut.png");
        Files.copy(TestModels.demoImage("astronaut.png"), photo);
        byte[] before = Files.readAllBytes(photo);
        assertEquals(2, Main.run(new String[] {"niqe", "dni.niqe.pristine=[\"" + TestModels.projectRoot()
            .resolve("demo/images") + "\"]", "dni.niqe.images=[\"" + images + "\"]",
            "dni.niqe.output=\"" + photo + "\""}));
        assertArrayEquals(before, Files.readAllBytes(photo));
    }

    @Test
    void niqeQuotesCsvFields() {
        assertEquals("plain", NiqeCommand.csvField("plain"));
        assertEquals("\"a,b\"", NiqeCommand.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", NiqeCommand.csvField("say \"hi\""));
        assertEquals("\"two\nlines\"", NiqeCommand.csvField("two\nlines"));
    }

    @Test
    void niqeRefusesImagesOverItsPixelBudgetAndAPristineSetWithoutTexture() throws Exception {
        String demo = TestModels.projectRoot().resolve("demo/images").toString();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, "UTF-8"));
        try {
            assertEquals(2, Main.run(new String[] {"niqe", "dni.niqe.pristine=[\"" + demo + "\"]",
                "dni.niqe.images=[\"" + demo + "\"]", "dni.niqe.max-pixels=1000"}));
            String m = err.toString("UTF-8");
            org.junit.jupiter.api.Assertions.assertTrue(m.contains("dni.niqe.max-pixels = 1000") && m.contains(".png"),
                    m);
            err.reset();
            Path flat = Files.createDirectories(tmp.resolve("flat"));
            java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(200, 200,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = grey.createGraphics();
            g.setColor(new java.awt.Color(128, 128, 128));
            g.fillRect(0, 0, 200, 200);
            g.dispose();
            javax.imageio.ImageIO.write(grey, "png", flat.resolve("grey.png").toFile());
            assertEquals(2, Main.run(new String[] {"niqe", "dni.niqe.pristine=[\"" + flat + "\"]",
                "dni.niqe.images=[\"" + demo + "\"]"}));
            m = err.toString("UTF-8");
            org.junit.jupiter.api.Assertions.assertTrue(m.contains("without any texture")
                    && m.contains("dni.niqe.pristine"), m);
        } finally {
            System.setErr(old);
        }
    }
}
