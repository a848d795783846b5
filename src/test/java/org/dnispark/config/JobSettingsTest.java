package org.dnispark.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class JobSettingsTest {
    static final String TWO_MODELS = "dni.models=[a,b]";

    static JobSettings settings(JobSettings.Job job, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", "conf/demo.conf"));
        all.addAll(Arrays.asList(args));
        return JobSettings.from(ConfigLoader.load(all), job);
    }

    static String error(JobSettings.Job job, String... args) {
        return assertThrows(SettingsException.class, () -> settings(job, args)).getMessage();
    }

    @Test
    void demoConfiguration() {
        JobSettings sweep = settings(JobSettings.Job.SWEEP);
        assertEquals(21, sweep.coefficients.size());
        assertArrayEquals(new double[] {0.85, 0.15}, sweep.coefficients.get(3), 1e-12);
        assertEquals("0.15", sweep.coefficientLabels.get(3));
        assertEquals(2, sweep.degradation.size());
        assertTrue(sweep.metricIsY);
        JobSettings transition = settings(JobSettings.Job.TRANSITION);
        assertEquals(11, transition.coefficients.size());
        assertEquals("out/demo/transition", transition.output);
        assertTrue(sweep.renderedConfig.contains("noise3_scale2.0x_model"));
    }

    @Test
    void commandLineOverridesWin() {
        JobSettings s = settings(JobSettings.Job.SWEEP, "dni.sweep.alphas=[0.25, 0.75]", "dni.inference.tile-size=64");
        assertEquals(List.of(0.25, 0.75), s.alphas);
        assertEquals(64, s.tileSize);
    }

    @Test
    void unquotedUrisOnTheCommandLineAreStrings() {
        JobSettings s = settings(JobSettings.Job.SWEEP, "dni.input.images=s3a://bucket/photos",
                "dni.spark.hadoop.\"fs.s3a.endpoint\"=http://127.0.0.1:9000");
        assertEquals("s3a://bucket/photos", s.images);
        assertEquals("http://127.0.0.1:9000", s.hadoopConf.get("fs.s3a.endpoint"));
    }

    @Test
    void unknownKeysAreRejected() {
        String m = error(JobSettings.Job.SWEEP, "dni.sweep.alpha-gird.step=0.1", "dni.inference.tiles=3");
        assertTrue(m.contains("dni.sweep.alpha-gird.step") && m.contains("dni.inference.tiles"), m);
    }

    @Test
    void badAlphasNameTheKey() {
        String m = error(JobSettings.Job.SWEEP, "dni.sweep.alphas=[0, 1.5]");
        assertTrue(m.startsWith("dni.sweep.alphas: expected finite values in [0, 1]") && m.contains("1.5"), m);
        String grid = error(JobSettings.Job.SWEEP, "dni.sweep.alpha-grid.step=-0.1");
        assertTrue(grid.contains("dni.sweep.alpha-grid") && grid.contains("step > 0"), grid);
        String type = error(JobSettings.Job.SWEEP, "dni.sweep.alphas=[zero]");
        assertTrue(type.contains("dni.sweep.alphas") && type.contains("list of numbers"), type);
    }

    @Test
    void coefficientVectorsAreValidated() {
        String sum = error(JobSettings.Job.TRANSITION, "dni.transition.coefficients=[[0.5, 0.6]]");
        assertTrue(sum.contains("dni.transition coefficients") && sum.contains("sum to 1.1"), sum);
        String three = error(JobSettings.Job.TRANSITION, "dni.models=[a,b,c]");
        assertTrue(three.contains("3 models need explicit coefficient vectors"), three);
        JobSettings path = settings(JobSettings.Job.TRANSITION, "dni.models=[a,b,c]", "dni.transition.path-step=0.5");
        assertEquals(5, path.coefficients.size());
        assertArrayEquals(new double[] {0, 0.5, 0.5}, path.coefficients.get(3), 1e-12);
        assertEquals("0.0/0.5/0.5", path.coefficientLabels.get(3));
        String neg = error(JobSettings.Job.TRANSITION, "dni.transition.coefficients=[[-0.5, 1.5]]");
        assertTrue(neg.contains("negative"), neg);
        settings(JobSettings.Job.TRANSITION, "dni.transition.coefficients=[[-0.5, 1.5]]",
                "dni.interpolation.allow-extrapolation=true");
    }

    @Test
    void otherBadValues() {
        assertTrue(error(JobSettings.Job.SWEEP, "dni.models=[a]").contains("dni.models: expected at least two"));
        String tile = error(JobSettings.Job.SWEEP, "dni.inference.tile-size=big");
        assertTrue(tile.contains("dni.inference.tile-size: expected a number"), tile);
        String small = error(JobSettings.Job.SWEEP, "dni.inference.tile-size=4");
        assertTrue(small.contains("an integer in 16..8192"), small);
        String deg = error(JobSettings.Job.SWEEP, "dni.degradation=[{type=blur}]");
        assertTrue(deg.contains("dni.degradation[0]") && deg.contains("'blur' is not a degradation type"), deg);
        String q = error(JobSettings.Job.SWEEP, "dni.degradation=[{type=jpeg, quality=0}]");
        assertTrue(q.contains("dni.degradation[0]") && q.contains("1..100"), q);
        String extra = error(JobSettings.Job.SWEEP, "dni.degradation=[{type=jpeg, quality=50, qualty=3}]");
        assertTrue(extra.contains("dni.degradation[0].qualty"), extra);
        String policy = error(JobSettings.Job.SWEEP, "dni.output.if-exists=merge");
        assertTrue(policy.contains("dni.output.if-exists: expected refuse, overwrite or resume"), policy);
        String metric = error(JobSettings.Job.SWEEP, "dni.sweep.metric=ssim");
        assertTrue(metric.contains("dni.sweep.metric"), metric);
        String none = error(JobSettings.Job.SWEEP, "dni.degradation=[]");
        assertTrue(none.contains("synthetic mode"), none);
        String images = error(JobSettings.Job.SWEEP, "dni.input.images=\"\"");
        assertTrue(images.contains("dni.input.images"), images);
        String missing = assertThrows(SettingsException.class,
                () -> ConfigLoader.load(List.of("--config", "conf/nope.conf"))).getMessage();
        assertTrue(missing.contains("conf/nope.conf"), missing);
    }

    @Test
    void secretsAreRedacted() {
        JobSettings s = settings(JobSettings.Job.SWEEP, "dni.spark.hadoop.\"fs.s3a.secret.key\"=TOPSECRET123");
        assertEquals("TOPSECRET123", s.hadoopConf.get("fs.s3a.secret.key"));
        assertTrue(!s.renderedConfig.contains("TOPSECRET123"), s.renderedConfig);
    }
}
