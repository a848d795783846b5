package org.dnispark.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.junit.jupiter.api.Test;

class SettingsTest {
    static final String TWO_MODELS = "dni.models=[a,b]";

    static <T extends ImageJobSettings> T settings(Job job, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", "conf/demo.conf"));
        all.addAll(Arrays.asList(args));
        return TestJobs.settings(job, ConfigLoader.load(all));
    }

    static String error(Job job, String... args) {
        return assertThrows(SettingsException.class, () -> settings(job, args)).getMessage();
    }

    @Test
    void demoConfiguration() {
        SweepSettings sweep = settings(Job.SWEEP);
        assertEquals(21, sweep.coefficients().size());
        assertArrayEquals(new double[] {0.85, 0.15}, sweep.coefficients().get(3).vector(), 1e-12);
        assertEquals("0.15", sweep.coefficients().get(3).label());
        assertEquals(2, sweep.run().input().degradation().size());
        assertEquals("psnr_y", sweep.scoring().picking().column());
        assertEquals(java.util.List.of("rgb", "y", "ssim-rgb", "ssim-y"), sweep.scoring().metrics());
        SweepSettings ssim = settings(Job.SWEEP, "dni.sweep.metric=ssim-y");
        assertEquals("ssim_y", ssim.scoring().picking().column());
        assertTrue(error(Job.SWEEP, "dni.sweep.metric=ssim").contains("ssim-rgb"));
        // the metric that picks must be computed; NIQE needs its pristine photographs; names come from the registry
        assertTrue(error(Job.SWEEP, "dni.sweep.metrics=[y]", "dni.sweep.metric=rgb").contains("dni.sweep.metrics"));
        assertTrue(error(Job.SWEEP, "dni.sweep.metrics=[y, niqe]").contains("dni.niqe.pristine"));
        assertTrue(error(Job.SWEEP, "dni.sweep.metrics=[y, lpips]").contains("niqe"));
        assertTrue(error(Job.SWEEP, "dni.sweep.metrics=[y, y]").contains("each metric once"));
        SweepSettings niqe = settings(Job.SWEEP, "dni.sweep.metrics=[niqe, y]", "dni.sweep.metric=niqe",
                "dni.niqe.pristine=[p]");
        assertEquals(java.util.List.of("y", "niqe"), niqe.scoring().metrics());
        assertEquals(org.dnispark.metrics.Metric.Direction.LOWER, niqe.scoring().picking().direction());
        TransitionSettings transition = settings(Job.TRANSITION);
        assertEquals(11, transition.coefficients().size());
        assertEquals("out/demo/transition", transition.output());
        assertTrue(sweep.common().renderedConfig().contains("noise3_scale2.0x_model"));
    }

    @Test
    void commandLineOverridesWin() {
        SweepSettings s = settings(Job.SWEEP, "dni.sweep.alphas=[0.25, 0.75]", "dni.inference.tile-size=64");
        assertEquals(List.of(0.25, 0.75), s.coefficients().entries().stream().map(c -> c.alpha()).toList());
        assertEquals(64, s.run().inference().tileSize());
    }

    @Test
    void unquotedUrisOnTheCommandLineAreStrings() {
        SweepSettings s = settings(Job.SWEEP, "dni.input.images=s3a://bucket/photos",
                "dni.spark.hadoop.\"fs.s3a.endpoint\"=http://127.0.0.1:9000");
        assertEquals("s3a://bucket/photos", s.run().input().images());
        assertEquals("http://127.0.0.1:9000", s.common().hadoop().get("fs.s3a.endpoint"));
    }

    @Test
    void configurationNeverReachesTheNetworkAndTyposOutsideDniFail(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path tmp) throws java.io.IOException, InterruptedException {
        // a listening socket that would see the fetch: nothing may connect to it
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/evil.conf";
            for (String include : List.of("include url(\"" + url + "\")", "include \"" + url + "\"")) {
                java.nio.file.Path conf = tmp.resolve("inc.conf");
                java.nio.file.Files.writeString(conf, include + "\n");
                String m = assertThrows(IllegalArgumentException.class,
                        () -> ConfigLoader.load(List.of("--config", conf.toString()))).getMessage();
                assertTrue(m.contains(url) && m.contains("never URLs"), m);
                assertThrows(java.net.SocketTimeoutException.class, server::accept, "the driver fetched " + url);
            }
            // a file include is fine
            java.nio.file.Path other = tmp.resolve("other.conf");
            java.nio.file.Files.writeString(other, "dni.seed = 7\n");
            java.nio.file.Path conf = tmp.resolve("file.conf");
            java.nio.file.Files.writeString(conf, "include file(\"" + other + "\")\n");
            assertEquals(7, ConfigLoader.load(List.of("--config", conf.toString())).getLong("dni.seed"));
        }
        // devices, pipes and folders are not configuration files, given or included (plain or file(...)); nor is
        // a file too large to be one
        java.nio.file.Path fifo = tmp.resolve("fifo.conf");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        for (String target : List.of("/dev/zero", fifo.toString(), tmp.toString())) {
            String m = assertThrows(IllegalArgumentException.class,
                    () -> ConfigLoader.load(List.of("--config", target))).getMessage();
            assertTrue(m.contains(target) && (m.contains("not a regular file") || m.contains("not found")), m);
            for (String include : List.of("include file(\"" + target + "\")", "include \"" + target + "\"")) {
                java.nio.file.Path conf = tmp.resolve("dev.conf");
                java.nio.file.Files.writeString(conf, include + "\n");
                m = assertThrows(IllegalArgumentException.class,
                        () -> ConfigLoader.load(List.of("--config", conf.toString()))).getMessage();
                assertTrue(m.contains(target) && m.contains("not a regular file"), include + ": " + m);
            }
        }
        java.nio.file.Path big = tmp.resolve("big.conf");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(ConfigLoader.MAX_CONFIG_BYTES + 1);
        }
        String m = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(List.of("--config", big.toString()))).getMessage();
        assertTrue(m.contains("big.conf") && m.contains("more than"), m);
        String typo = error(Job.SWEEP, "dnii.sweep.output=x");
        assertTrue(typo.contains("[dnii]") && typo.contains("top-level"), typo);
        String nan = error(Job.SWEEP, "dni.seed=\"NaN\"");
        assertTrue(nan.contains("dni.seed"), nan);
    }

    @Test
    void secretsAreMaskedByKeyAndByValue() {
        com.typesafe.config.Config c = ConfigLoader.load(List.of(
                "dni.spark.hadoop.\"fs.azure.account.key.a.blob.core.windows.net\"=\"azure-secret-1\"",
                "dni.spark.hadoop.\"fs.s3a.encryption.key\"=\"encryption-secret-2\"",
                "dni.spark.hadoop.\"fs.gs.auth.service.account.private.key\"=\"gcs-secret-3\"",
                "dni.spark.hadoop.\"fs.s3a.aws.credentials.provider\"=\"SimpleProvider\"",
                "dni.spark.app-name=\"from-env-secret-4\""));
        String rendered = Redaction.render(c, java.util.Map.of("AWS_SECRET_ACCESS_KEY", "from-env-secret-4"));
        for (String secret : List.of("azure-secret-1", "encryption-secret-2", "gcs-secret-3", "from-env-secret-4")) {
            assertTrue(!rendered.contains(secret), secret + " in " + rendered);
        }
        assertTrue(rendered.contains("SimpleProvider"), rendered);
        assertEquals("cannot reach *** at ***", Redaction.mask("cannot reach azure-secret-1 at from-env-secret-4"));
    }

    @Test
    void unknownKeysAreRejected() {
        String m = error(Job.SWEEP, "dni.sweep.alpha-gird.step=0.1", "dni.inference.tiles=3");
        assertTrue(m.contains("dni.sweep.alpha-gird.step") && m.contains("dni.inference.tiles"), m);
    }

    @Test
    void badAlphasNameTheKey() {
        String m = error(Job.SWEEP, "dni.sweep.alphas=[0, 1.5]");
        assertTrue(m.startsWith("dni.sweep.alphas: expected finite values in [0, 1]") && m.contains("1.5"), m);
        String grid = error(Job.SWEEP, "dni.sweep.alpha-grid.step=-0.1");
        assertTrue(grid.contains("dni.sweep.alpha-grid") && grid.contains("step > 0"), grid);
        String type = error(Job.SWEEP, "dni.sweep.alphas=[zero]");
        assertTrue(type.contains("dni.sweep.alphas") && type.contains("list of numbers"), type);
    }

    @Test
    void coefficientVectorsAreValidated() {
        String sum = error(Job.TRANSITION, "dni.transition.coefficients=[[0.5, 0.6]]");
        assertTrue(sum.contains("dni.transition coefficients") && sum.contains("sum to 1.1"), sum);
        String three = error(Job.TRANSITION, "dni.models=[a,b,c]");
        assertTrue(three.contains("3 models need explicit coefficient vectors"), three);
        TransitionSettings path = settings(Job.TRANSITION, "dni.models=[a,b,c]", "dni.transition.path-step=0.5");
        assertEquals(5, path.coefficients().size());
        assertArrayEquals(new double[] {0, 0.5, 0.5}, path.coefficients().get(3).vector(), 1e-12);
        assertEquals("0.0/0.5/0.5", path.coefficients().get(3).label());
        String neg = error(Job.TRANSITION, "dni.transition.coefficients=[[-0.5, 1.5]]");
        assertTrue(neg.contains("negative"), neg);
        settings(Job.TRANSITION, "dni.transition.coefficients=[[-0.5, 1.5]]",
                "dni.interpolation.allow-extrapolation=true");
    }

    @Test
    void otherBadValues() {
        assertTrue(error(Job.SWEEP, "dni.models=[a]").contains("dni.models: expected at least two"));
        String tile = error(Job.SWEEP, "dni.inference.tile-size=big");
        assertTrue(tile.contains("dni.inference.tile-size: expected a number"), tile);
        String small = error(Job.SWEEP, "dni.inference.tile-size=4");
        assertTrue(small.contains("an integer in 16..8192"), small);
        String deg = error(Job.SWEEP, "dni.degradation=[{type=blur}]");
        assertTrue(deg.contains("dni.degradation[0]") && deg.contains("'blur' is not a degradation type"), deg);
        String q = error(Job.SWEEP, "dni.degradation=[{type=jpeg, quality=0}]");
        assertTrue(q.contains("dni.degradation[0]") && q.contains("1..100"), q);
        String extra = error(Job.SWEEP, "dni.degradation=[{type=jpeg, quality=50, qualty=3}]");
        assertTrue(extra.contains("dni.degradation[0].qualty"), extra);
        String policy = error(Job.SWEEP, "dni.output.if-exists=merge");
        assertTrue(policy.contains("dni.output.if-exists: expected refuse, overwrite or resume"), policy);
        String metric = error(Job.SWEEP, "dni.sweep.metric=ssim");
        assertTrue(metric.contains("dni.sweep.metric"), metric);
        String none = error(Job.SWEEP, "dni.degradation=[]");
        assertTrue(none.contains("synthetic mode"), none);
        String images = error(Job.SWEEP, "dni.input.images=\"\"");
        assertTrue(images.contains("dni.input.images"), images);
        String missing = assertThrows(SettingsException.class,
                () -> ConfigLoader.load(List.of("--config", "conf/nope.conf"))).getMessage();
        assertTrue(missing.contains("conf/nope.conf"), missing);
    }

    @Test
    void secretsAreRedacted() {
        SweepSettings s = settings(Job.SWEEP, "dni.spark.hadoop.\"fs.s3a.secret.key\"=TOPSECRET123");
        assertEquals("TOPSECRET123", s.common().hadoop().get("fs.s3a.secret.key"));
        assertTrue(!s.common().renderedConfig().contains("TOPSECRET123"), s.common().renderedConfig());
    }

    @Test
    void theSearchTakesItsBracketFromTheGridAndRefusesWhatItCannotSearch() {
        assertEquals(null, ((SweepSettings) settings(Job.SWEEP)).search());
        SweepSettings brent = settings(Job.SWEEP, "dni.sweep.search.method=brent");
        assertEquals(org.dnispark.core.AlphaSearch.Method.BRENT, brent.search().method());
        assertEquals(0.025, brent.search().tolerance());
        assertEquals(30, brent.search().maxEvaluations());
        assertEquals(0.0, brent.search().lo());
        assertEquals(1.0, brent.search().hi());
        assertEquals(21, brent.coefficients().size(), "the grid stays: its size is the search's yardstick");
        SweepSettings narrow = settings(Job.SWEEP, "dni.sweep.search.method=golden", "dni.sweep.alpha-grid.start=0.2",
                "dni.sweep.alpha-grid.end=0.6");
        assertEquals(0.2, narrow.search().lo());
        assertEquals(0.6, narrow.search().hi());
        SweepSettings path = settings(Job.SWEEP, "dni.models=[a,b,c]", "dni.sweep.path-step=0.25",
                "dni.sweep.search.method=brent", "dni.sweep.search.tolerance=0.05");
        assertEquals(2.0, path.search().hi());
        assertArrayEquals(new double[] {0, 0.75, 0.25}, path.search().vector(1.25, 3), 1e-15);
        assertArrayEquals(new double[] {0, 0, 1}, path.search().vector(2.0, 3), 1e-15);
        assertArrayEquals(new double[] {0.7, 0.3}, brent.search().vector(0.3, 2), 1e-15);

        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=newton").contains("dni.sweep.search.method"));
        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.frames=[coffee]")
                .contains("dni.sweep.frames"));
        assertEquals(List.of("*"), ((SweepSettings) settings(Job.SWEEP, "dni.sweep.frames=[\"*\"]")).frames());
        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.search.tolerance=0")
                .contains("dni.sweep.search.tolerance"));
        String half = error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.search.tolerance=0.3",
                "dni.sweep.alpha-grid.end=0.5");
        assertTrue(half.contains("dni.sweep.search.tolerance") && half.contains("half the bracket"), half);
        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.search.max-evaluations=1")
                .contains("dni.sweep.search.max-evaluations"));
        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.alphas=[0.1, 0.2]")
                .contains("dni.sweep.alphas"));
        assertTrue(error(Job.SWEEP, "dni.models=[a,b,c]", "dni.sweep.coefficients=[[1,0,0],[0,0,1]]",
                "dni.sweep.search.method=brent").contains("path-step"));
        assertTrue(error(Job.SWEEP, "dni.sweep.search.method=brent", "dni.sweep.schedules=[[0.2, 0.8]]")
                .contains("cannot search dni.sweep.schedules"));
    }

    @Test
    void perLayerSchedulesRulesAndTheirErrors() {
        SweepSettings two = settings(Job.SWEEP, "dni.sweep.schedules=[[0.2, 0.8], [0.5, 0.5]]");
        assertEquals(2, two.coefficients().size());
        org.dnispark.core.CoefficientPlan.Coefficient g = two.coefficients().get(0);
        assertEquals(0.2, g.schedule().front());
        assertEquals(0.8, g.schedule().back());
        assertEquals(null, g.alpha());
        assertEquals("f0.2-b0.8", g.label());
        assertArrayEquals(new double[] {0.5, 0.5}, g.vector(), 1e-15);
        org.dnispark.core.CoefficientPlan.Coefficient u = two.coefficients().get(1);
        assertTrue(!u.hasSchedule() && u.alpha() == 0.5, "a uniform schedule is plain DNI");
        SweepSettings grid = settings(Job.SWEEP, "dni.sweep.schedule-grid.step=0.5");
        assertEquals(9, grid.coefficients().size());
        assertEquals(List.of("0.0", "f0.0-b0.5", "f0.0-b1.0", "f0.5-b0.0", "0.5", "f0.5-b1.0", "f1.0-b0.0", "f1.0-b0.5",
                "1.0"),
                grid.coefficients().labels(), "front-major");
        SweepSettings ruled = settings(Job.SWEEP, "dni.schedule.rules=[{tensors = \"conv*\", alpha = 0}]");
        assertEquals(21, ruled.coefficients().size());
        assertEquals(0.35, ruled.coefficients().get(7).alpha(), 1e-12);
        assertEquals(List.of(new org.dnispark.core.LayerSchedule.Rule("conv*", 0)),
                ruled.coefficients().get(7).schedule().rules());
        TransitionSettings t = settings(Job.TRANSITION, "dni.transition.alphas=[]", "dni.transition.schedules=[[0, 1]]");
        assertTrue(t.coefficients().get(0).hasSchedule());
        InterpolateSettings i = InterpolateSettings.from(ConfigLoader.load(List.of("--config", "conf/demo.conf",
                "dni.interpolate.schedule=[0.1, 0.9]")));
        assertEquals(0.9, i.coefficient().get(0).schedule().back());

        assertTrue(error(Job.SWEEP, "dni.sweep.schedules=[[0.2]]").contains("dni.sweep.schedules[0]"));
        assertTrue(error(Job.SWEEP, "dni.sweep.schedules=[[0.2, 1.5]]").contains("dni.sweep.schedules[0]"));
        assertTrue(error(Job.SWEEP, "dni.sweep.schedules=[[0.2, 0.8]]", "dni.sweep.alphas=[0.5]")
                .contains("replace the alphas"));
        assertTrue(error(Job.SWEEP, "dni.sweep.schedules=[[0.2, 0.8]]", "dni.sweep.schedule-grid.step=0.5")
                .contains("both set"));
        assertTrue(error(Job.SWEEP, "dni.sweep.schedule-grid.step=0.001").contains("dni.limits.coefficients"));
        assertTrue(error(Job.SWEEP, "dni.schedule.rules=[{tensors = \"conv*\"}]").contains("dni.schedule.rules[0]"));
        assertTrue(error(Job.SWEEP, "dni.schedule.rules=[{tensors = \"\", alpha = 0}]")
                .contains("dni.schedule.rules[0].tensors"));
        assertTrue(error(Job.SWEEP, "dni.schedule.rules=[{tensors = \"x\", alpha = 2}]")
                .contains("dni.schedule.rules[0].alpha"));
        assertTrue(error(Job.SWEEP, "dni.sweep.schedules=[[0.2, 0.8]]", "dni.sweep.method=pixel")
                .contains("no layers"));
        assertTrue(error(Job.SWEEP, "dni.models=[a,b,c]", "dni.sweep.path-step=0.5", "dni.sweep.schedules=[[0, 1]]")
                .contains("two models"));
        assertTrue(assertThrows(SettingsException.class, () -> InterpolateSettings.from(ConfigLoader.load(List.of(
                "--config", "conf/demo.conf", "dni.interpolate.schedule=[0.1]")))).getMessage()
                .contains("dni.interpolate.schedule"));
    }
}
