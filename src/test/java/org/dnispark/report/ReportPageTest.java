package org.dnispark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.dnispark.config.ReportSettings;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;

/** report.html from run folders nobody vouches for: escaped, bounded, deterministic, and clear about bad files. */
class ReportPageTest {
    static final String HOSTILE = "<script>alert(1)</script>\"'&";
    static final ReportSettings SETTINGS = new ReportSettings(true, 8, 512, 10, "");
    final Configuration conf = new Configuration();
    @TempDir
    Path tmp;

    static String manifest(String job, String output) {
        return "{\"job\":\"" + job + "\",\"output\":" + quote(output) + ",\"run_id\":\"r1\",\"models\":[{\"reference\":"
                + quote(HOSTILE + "/a") + ",\"format\":\"ncnn\",\"files\":[{\"uri\":\"x\",\"sha256\":\"ab\"}]},"
                + "{\"reference\":\"b\",\"format\":\"ncnn\",\"files\":[{\"uri\":\"y\",\"sha256\":\"cd\"}]}],"
                + "\"coefficients\":[{\"index\":0,\"label\":\"0.0\",\"alpha\":0.0,\"coefficients\":[1.0,0.0]},"
                + "{\"index\":1,\"label\":\"1.0\",\"alpha\":1.0,\"coefficients\":[0.0,1.0]}],"
                + "\"degradation\":[" + quote(HOSTILE) + "],\"versions\":{\"spark\":" + quote(HOSTILE) + "},"
                + "\"git\":{\"commit\":\"abc\",\"dirty\":false},\"summary\":{\"method\":\"dni\",\"frames\":2,"
                + "\"strips\":3,\"rejected\":0}}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String coefficient(int index, double alpha, double value) {
        String spread = "{\"std\":0.1,\"min\":" + (value - 1) + ",\"q1\":" + (value - 0.5) + ",\"median\":" + value
                + ",\"q3\":" + (value + 0.5) + ",\"max\":" + (value + 1) + "}";
        return "{\"index\":" + index + ",\"label\":\"" + alpha + "\",\"alpha\":" + alpha + ",\"mean_psnr_rgb\":" + value
                + ",\"mean_psnr_y\":" + value + ",\"mean_ssim_rgb\":0.8,\"mean_ssim_y\":0.8,\"images\":2,"
                + "\"psnr_y_spread\":" + spread + ",\"psnr_rgb_spread\":" + spread + "}";
    }

    Path sweep(String name, String output) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("manifest.json"), manifest("sweep", output));
        String best = coefficient(1, 1.0, 31);
        Files.writeString(d.resolve("summary.json"), "{\"method\":\"dni\",\"metric\":\"psnr_y\",\"crop_border\":2,"
                + "\"images\":2,\"rejected\":0,\"best\":" + best + ",\"first\":" + coefficient(0, 0.0, 30) + ",\"last\":"
                + best + ",\"dip_below_endpoints_db\":0,\"max_neighbour_step_db\":1,\"per_coefficient\":["
                + coefficient(0, 0.0, 30) + "," + best + "],\"best_per_image\":[{\"index\":0,\"label\":\"0.0\","
                + "\"images\":0},{\"index\":1,\"label\":\"1.0\",\"images\":2}],\"worst_images\":[{\"image\":"
                + quote(HOSTILE) + ",\"at_best\":29,\"own_best_index\":1,\"own_best_label\":\"1.0\",\"own_best\":29}]}");
        Files.writeString(d.resolve("_SUCCESS"), "");
        return d;
    }

    @Test
    void everythingARunSaysIsEscapedAndThePageForbidsFetching() throws Exception {
        Path a = sweep("a", HOSTILE);
        Path b = sweep("b", "b");
        String page = ReportPage.render(List.of(RunFolder.read(a.toString(), conf, true),
                RunFolder.read(b.toString(), conf, true)), SETTINGS, conf);
        assertFalse(page.contains("<script>alert"), "a run's text reached the page unescaped");
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
        assertTrue(page.contains("content=\"" + ReportPage.CSP + "\""));
        // both sweeps compared, each drawn with its best alpha
        assertTrue(page.contains("Sweeps compared"));
        assertEquals(2 * 4, page.split("best α = 1\\.0", -1).length - 1, "one marker per chart of each run");
        // the same files give the same page
        assertEquals(page, ReportPage.render(List.of(RunFolder.read(a.toString(), conf, true),
                RunFolder.read(b.toString(), conf, true)), SETTINGS, conf));
    }

    @Test
    void unfinishedForeignAndMalformedRunsAreRefusedByName() throws Exception {
        Path a = sweep("a", "a");
        Files.delete(a.resolve("_SUCCESS"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunFolder.read(a.toString(), conf, true));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains("_SUCCESS"), e.getMessage());

        Path b = sweep("b", "b");
        Files.writeString(b.resolve("manifest.json"), manifest("train", "b"));
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.read(b.toString(), conf, true));
        assertTrue(e.getMessage().contains("'train'") && e.getMessage().contains("expected sweep"), e.getMessage());

        Path c = sweep("c", "c");
        Files.writeString(c.resolve("summary.json"), "[1, 2]");
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.read(c.toString(), conf, true));
        assertTrue(e.getMessage().contains("summary.json") && e.getMessage().contains("JSON object"), e.getMessage());

        Path d = sweep("d", "d");
        Files.writeString(d.resolve("summary.json"), "{\"best\": ");
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.read(d.toString(), conf, true));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        Path f = sweep("f", "f");
        Files.createDirectories(f.resolve("manifest.json.d"));
        Files.delete(f.resolve("manifest.json"));
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.read(f.toString(), conf, true));
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("no such file"), e.getMessage());
    }

    Path transition(byte[] frame0) throws Exception {
        Path d = Files.createDirectories(tmp.resolve("t"));
        Files.writeString(d.resolve("manifest.json"), manifest("transition", "t"));
        Files.createDirectories(d.resolve("frames/img"));
        Files.createDirectories(d.resolve("strips"));
        RgbImage img = new RgbImage(8, 6, new float[3 * 8 * 6]);
        Files.write(d.resolve("frames/img/00_0.0.png"), frame0);
        Files.write(d.resolve("frames/img/01_1.0.png"), ImageCodec.encodePng(img));
        Files.write(d.resolve("strips/img.png"), ImageCodec.encodePng(img));
        Files.writeString(d.resolve("_SUCCESS"), "");
        return d;
    }

    @Test
    void aFrameThatIsNotAnImageIsNamedAndImagesAreReencoded() throws Exception {
        Path t = transition("<html><script>alert(1)</script>".getBytes(StandardCharsets.UTF_8));
        RunFolder run = RunFolder.read(t.toString(), conf, true);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ReportPage.render(List.of(run), SETTINGS,
                conf));
        assertTrue(e.getMessage().contains("frames/img/00_0.0.png"), e.getMessage());

        // a PNG with a trailing payload is decoded and written afresh: the payload never reaches the page
        byte[] png = ImageCodec.encodePng(new RgbImage(8, 6, new float[3 * 8 * 6]));
        byte[] tampered = java.util.Arrays.copyOf(png, png.length + 9);
        System.arraycopy("PAYLOAD!!".getBytes(StandardCharsets.US_ASCII), 0, tampered, png.length, 9);
        String uri = ReportPage.pngData(tampered, "x.png", 0);
        byte[] shown = java.util.Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1));
        assertFalse(new String(shown, StandardCharsets.ISO_8859_1).contains("PAYLOAD"));
    }

    @Test
    void aTransitionPageHoldsEveryFrameOfTheFirstImagesOnly() throws Exception {
        Path t = transition(ImageCodec.encodePng(new RgbImage(8, 6, new float[3 * 8 * 6])));
        for (String extra : List.of("x", "y")) {
            Files.createDirectories(t.resolve("frames/" + extra));
            Files.write(t.resolve("strips/" + extra + ".png"), ImageCodec.encodePng(new RgbImage(8, 6, new float[3 * 8 * 6])));
        }
        RunFolder run = RunFolder.read(t.toString(), conf, true);
        String page = ReportPage.render(List.of(run), new ReportSettings(true, 1, 512, 10, ""), conf);
        assertEquals(1, page.split("<figure class=\"transition\"", -1).length - 1);
        assertTrue(!page.contains("data-image=\"x\"") && page.contains("data-image=\"img\""));
        assertTrue(page.contains("2 more images"), "the images left out are counted");
        assertEquals(List.of("img", "x", "y"), run.firstImages(5, conf));
        assertEquals(List.of("img", "x"), run.firstImages(2, conf));
    }

    @Test
    void aCombinedPageIsNotWrittenIntoARunItReads() throws Exception {
        Path a = sweep("a", "a");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Report.combine(List.of(a.toString()), a.resolve("report.html").toString(), SETTINGS, conf));
        assertTrue(e.getMessage().contains("lies inside run"), e.getMessage());
        String page = Report.combine(List.of(a.toString()), tmp.resolve("pages").toString(), SETTINGS, conf);
        assertTrue(Files.exists(Path.of(page)) && page.endsWith("pages/report.html"), page);
    }

    @Test
    void symbolicLinksOutOfARunAreRefusedAndLoopsDoNotHang() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.json"), "{\"method\":\"dni\",\"per_coefficient\":[]}");
        Path a = sweep("linked", "linked");
        Files.delete(a.resolve("summary.json"));
        Files.createSymbolicLink(a.resolve("summary.json"), secret);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunFolder.read(a.toString(), conf, true));
        assertTrue(e.getMessage().contains("summary.json") && e.getMessage().contains("symbolic link"), e.getMessage());

        // a transition whose strips hold a loop of links, and whose frame folder is a link out of the run
        Path t = transition(ImageCodec.encodePng(new RgbImage(8, 6, new float[3 * 8 * 6])));
        Files.createSymbolicLink(t.resolve("strips/loop"), t.resolve("strips"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.copy(t.resolve("frames/img/00_0.0.png"), outside.resolve("00_0.0.png"));
        Files.copy(t.resolve("frames/img/01_1.0.png"), outside.resolve("01_1.0.png"));
        Files.copy(t.resolve("strips/img.png"), t.resolve("strips/zz.png"));
        Files.createSymbolicLink(t.resolve("frames/zz"), outside);
        RunFolder run = RunFolder.read(t.toString(), conf, true);
        assertEquals(List.of("img", "zz"), run.firstImages(8, conf), "the loop is not followed");
        RuntimeException r = assertThrows(RuntimeException.class, () -> ReportPage.render(List.of(run), SETTINGS,
                conf));
        assertTrue(r.getMessage().contains("frames/zz") && r.getMessage().contains("symbolic link"), r.getMessage());
    }

    @Test
    void numbersThatCannotBeDrawnAreRefusedNamingTheField() throws Exception {
        Path a = sweep("huge", "huge");
        String summary = Files.readString(a.resolve("summary.json"));
        Files.writeString(a.resolve("summary.json"), summary.replaceFirst("\"mean_psnr_y\":31(\\.0)?",
                "\"mean_psnr_y\":1e300"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunFolder.read(a.toString(), conf, true));
        assertTrue(e.getMessage().contains("summary.json") && e.getMessage().contains("/best/mean_psnr_y")
                && e.getMessage().contains("1.0E300"), e.getMessage());
    }
}
