package org.dnispark.jobs;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import org.dnispark.core.CoefficientPlan;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;

/**
 * Where a task's weights come from, broadcast by the driver and bounded by {@code dni.inference.broadcast-budget}:
 * <ul>
 *   <li>DNI within the budget: every coefficient's interpolated weights, built once on the driver;</li>
 *   <li>DNI above it: the source models, and each task interpolates one coefficient at a time (per block), with the
 *       same code and so the same bits, so that executor memory does not grow with the number of coefficients;</li>
 *   <li>pixel blending: the source models, which the tasks run one by one.</li>
 * </ul>
 */
final class WeightSource implements Serializable {
    private final List<Broadcast<ModelWeights>> broadcasts;
    private final boolean interpolated;
    private final CoefficientPlan coefficients;
    private final Interpolation.Options options;
    private final String description;
    /** What renormalisation did (dni.renormalise), for the manifest; null without it. Driver only. */
    private final transient Map<String, Object> renormalisation;

    private WeightSource(List<Broadcast<ModelWeights>> broadcasts, boolean interpolated, CoefficientPlan coefficients,
            Interpolation.Options options, String description, Map<String, Object> renormalisation) {
        this.broadcasts = broadcasts;
        this.interpolated = interpolated;
        this.coefficients = coefficients;
        this.options = options;
        this.description = description;
        this.renormalisation = renormalisation;
    }

    /**
     * With renormalisation every coefficient's weights are built on the driver (the measurement runs there), so all
     * of them must fit the broadcast budget.
     */
    static WeightSource broadcastRenormalised(JavaSparkContext jsc, List<ModelWeights> models, CoefficientPlan plan,
            Renormaliser renormaliser, Interpolation.Options options, long budget) {
        long all = 4L * models.get(0).parameterCount() * plan.size();
        if (all > budget) {
            throw new IllegalArgumentException("dni.renormalise builds every coefficient's weights on the driver: "
                    + plan.size() + " sets need " + mib(all) + ", above dni.inference.broadcast-budget (" + mib(budget)
                    + "); raise the budget or use fewer coefficients");
        }
        List<Broadcast<ModelWeights>> b = new ArrayList<>();
        for (double[] c : plan.vectors()) {
            b.add(jsc.broadcast(renormaliser.build(c)));
        }
        return new WeightSource(b, true, plan, options, plan.size() + " interpolated and renormalised weight sets "
                + "built on the driver (" + mib(all) + ")", renormaliser.describe());
    }

    /** The bytes of weights broadcast (float32 values; driver only, where the broadcast values are local). */
    long bytes() {
        long total = 0;
        for (Broadcast<ModelWeights> b : broadcasts) {
            total += 4L * b.value().parameterCount();
        }
        return total;
    }

    /** What renormalisation did, or null. */
    Map<String, Object> renormalisation() {
        return renormalisation;
    }

    /** Builds and broadcasts what the tasks need. */
    static WeightSource broadcast(JavaSparkContext jsc, List<ModelWeights> models, CoefficientPlan plan,
            boolean pixel, Interpolation.Options options, long budget) {
        long perSet = 4L * models.get(0).parameterCount();
        List<Broadcast<ModelWeights>> b = new ArrayList<>();
        if (pixel) {
            models.forEach(m -> b.add(jsc.broadcast(m)));
            return new WeightSource(b, false, plan, options, "the " + models.size() + " source models ("
                    + mib(perSet * models.size()) + "); tasks blend their outputs", null);
        }
        long all = perSet * plan.size();
        if (all <= budget) {
            for (CoefficientPlan.Coefficient c : plan.entries()) {
                b.add(jsc.broadcast(Interpolation.interpolate(models, c, options)));
            }
            return new WeightSource(b, true, plan, options, plan.size() + " interpolated weight sets built on the "
                    + "driver (" + mib(all) + ")", null);
        }
        models.forEach(m -> b.add(jsc.broadcast(m)));
        return new WeightSource(b, false, plan, options, "the " + models.size() + " source models (" + mib(perSet
                * models.size()) + "); tasks interpolate each coefficient in turn, since all " + plan.size()
                + " interpolated sets (" + mib(all) + ") exceed dni.inference.broadcast-budget (" + mib(budget) + ")",
                null);
    }

    /**
     * The sweep's search: the source models, broadcast once for every point it evaluates; see {@link #at}. Tasks
     * interpolate a point's weights themselves (DNI) or blend the models' outputs (pixel).
     */
    static WeightSource sources(JavaSparkContext jsc, List<ModelWeights> models, boolean pixel,
            Interpolation.Options options) {
        long perSet = 4L * models.get(0).parameterCount();
        List<Broadcast<ModelWeights>> b = new ArrayList<>();
        models.forEach(m -> b.add(jsc.broadcast(m)));
        return new WeightSource(b, false, null, options, "the " + models.size() + " source models (" + mib(perSet
                * models.size()) + "), once for the whole search; tasks " + (pixel ? "blend their outputs"
                : "interpolate each point's weights"), null);
    }

    /** The same broadcasts for other coefficients (the search's current point). */
    WeightSource at(CoefficientPlan plan) {
        if (interpolated) {
            throw new IllegalStateException("interpolated weights are fixed to their coefficients");
        }
        return new WeightSource(broadcasts, false, plan, options, description, renormalisation);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** What is broadcast, for the manifest. */
    String description() {
        return description;
    }

    /** The weights of coefficient {@code k} (DNI). */
    ModelWeights coefficient(int k) {
        if (interpolated) {
            return broadcasts.get(k).value();
        }
        List<ModelWeights> sources = new ArrayList<>();
        broadcasts.forEach(s -> sources.add(s.value()));
        return Interpolation.interpolate(sources, coefficients.get(k), options);
    }

    /** Source model {@code m} (pixel blending). */
    ModelWeights source(int m) {
        return broadcasts.get(m).value();
    }

    int sources() {
        return broadcasts.size();
    }

    /** Removes the broadcasts from the executors (blocking, so that none is in flight when the session stops). */
    void destroy() {
        for (Broadcast<ModelWeights> b : broadcasts) {
            b.unpersist(true);
            b.destroy();
        }
    }
}
