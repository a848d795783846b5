package org.dnispark.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.ImageJobSettings;
import org.dnispark.config.Method;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.DegradationStep;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.results.CoefficientEntry;
import org.dnispark.results.JsonFields;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.NetworkSpec;

/**
 * A job's run as the driver resolves it before touching any image: its settings, its models (loaded and checked
 * once) and the network they run in.
 */
record RunPlan(ImageJobSettings settings, ModelSet models, NetworkSpec network) {

    static RunPlan resolve(ImageJobSettings s, Configuration conf) {
        ModelSet models = Alignments.apply(s.common().align(), ModelSet.load(s.common().models(),
                new ModelStore(s.common().modelCache(), conf, s.common().modelPolicy())), s.run().input().images(),
                s.run().input().extensions(), conf);
        return new RunPlan(s, models, models.network());
    }

    NetworkGeometry geometry() {
        return network.geometry();
    }

    int scale() {
        return geometry().scale();
    }

    boolean pixel() {
        return settings.method() == Method.PIXEL;
    }

    /** What the run computes: its settings, the models' digests and the digest of its listed inputs. */
    RunIdentity identity(String inputs) {
        return RunIdentity.builder(settings.command()).settings(settings).models(models.digests())
                .put("network", network.name()).put("inputs", inputs).build();
    }

    /** The run's own manifest entries: network, method, geometry, the coefficients run, degradation and seed. */
    Map<String, Object> details(CoefficientPlan coefficients) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("network", network.name());
        d.put("method", pixel() ? "pixel interpolation of the models' outputs (baseline)"
                : "network interpolation (DNI)");
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("scale", geometry().scale());
        g.put("pre_pad", geometry().prePad());
        g.put("tile_context", geometry().tileContext());
        g.put("tile_size", settings.run().inference().tileSize());
        g.put("batch_size", settings.run().inference().batchSize());
        g.put("device", settings.run().inference().device());
        g.put("block_images", settings.run().inference().memory().blockImages());
        g.put("block_bytes", settings.run().inference().memory().blockBytes());
        d.put("geometry", g);
        d.put("coefficients", coefficientEntries(coefficients));
        if (coefficients.hasSchedules()) {
            // which alpha each layer of these models got, once per schedule
            java.util.List<Object> layers = new java.util.ArrayList<>();
            for (CoefficientPlan.Coefficient c : coefficients.entries()) {
                layers.add(c.hasSchedule() ? c.schedule().describe(models.weights().get(0)).get("alpha_by_layer")
                        : Map.of("*", c.alpha()));
            }
            d.put("schedule_alphas_by_layer", layers);
        }
        d.put("alpha_convention", "theta = (1 - alpha) * models[0] + alpha * models[1]");
        d.put("degradation", settings.run().input().degradation().stream().map(DegradationStep::toString).toList());
        d.put("seed", settings.run().seed());
        if (!models.alignment().isEmpty()) {
            d.put("alignment", models.alignment());
        }
        return d;
    }

    static java.util.List<CoefficientEntry> coefficientEntries(CoefficientPlan plan) {
        return plan.entries().stream().map(RunPlan::coefficientEntry).toList();
    }

    /** Index, label, alpha (two models only), vector and schedule of a coefficient, as every JSON output has it. */
    static CoefficientEntry coefficientEntry(CoefficientPlan.Coefficient c) {
        return new CoefficientEntry(c.index(), c.label(), c.hasAlpha() ? c.alpha() : null,
                java.util.Arrays.stream(c.vector()).boxed().toList(),
                c.hasSchedule() ? JsonFields.tree(c.schedule().describe(null)) : null);
    }
}
