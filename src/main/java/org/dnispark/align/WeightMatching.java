package org.dnispark.align;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jgrapht.Graph;
import org.jgrapht.alg.interfaces.MatchingAlgorithm;
import org.jgrapht.alg.matching.KuhnMunkresMinimalWeightBipartitePerfectMatching;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.core.SplitMix;

/**
 * Weight matching (Git Re-Basin, Ainsworth et al. 2023, Algorithm 1): find the permutation P of model B that
 * maximises {@code sum_t <A_t, P(B)_t>}, the inner product of every tensor of A with the permuted tensor of B. With
 * every other group fixed, the objective is linear in one group's order, so that group's best order is an exact
 * linear assignment (Kuhn-Munkres, JGraphT). Where a group meets one tensor on two axes (a residual trunk, whose
 * convs read and write the same channels), the step is linearised at the current order, as in the reference code.
 * Coordinate descent visits the groups in a seeded random order, pass after pass, until a whole pass changes
 * nothing. A group's new order is kept only when the exact objective over the tensors it touches is strictly higher,
 * so the objective never decreases.
 */
public final class WeightMatching {
    private WeightMatching() {
    }

    /**
     * What an alignment found and what it cost.
     *
     * @param permutation     the order of B's channels that best matches A
     * @param objectiveBefore {@code sum_t <A_t, B_t>} before any permutation
     * @param objectiveAfter  {@code sum_t <A_t, P(B)_t>}
     * @param cosineBefore    the objective over {@code |A| |B|} (a cosine of the flattened models), before
     * @param cosineAfter     the same after
     * @param objectiveByPass the objective after each pass, from pass 1
     * @param converged       whether the last pass changed nothing (otherwise {@code maxPasses} ran out)
     * @param millis          wall time
     */
    public record Result(Permutation permutation, double objectiveBefore, double objectiveAfter, double cosineBefore,
            double cosineAfter, List<Double> objectiveByPass, boolean converged, long millis) {
        public int passes() {
            return objectiveByPass.size();
        }
    }

    /**
     * The most channels one permutation group may have. Each exact assignment costs the cube of its size (about a
     * second at 1024 on this project's machines, and it runs once per group and pass), so a file whose hidden layers
     * claim more is refused before any work instead of running for hours.
     */
    public static final int MAX_GROUP_CHANNELS = 1024;

    /** Refuses a spec with a group larger than {@link #MAX_GROUP_CHANNELS}, naming the group and its size. */
    public static void requireBounded(PermutationSpec spec) {
        for (PermutationSpec.Group g : spec.groups()) {
            if (g.size() > MAX_GROUP_CHANNELS) {
                throw new IllegalArgumentException("alignment: group '" + g.name() + "' of " + spec.architecture()
                        + " has " + g.size() + " channels, more than the " + MAX_GROUP_CHANNELS + " one exact "
                        + "assignment is allowed (its cost grows with the cube of the channel count); interpolate "
                        + "without alignment");
            }
        }
    }

    public static Result align(ModelWeights reference, ModelWeights model, PermutationSpec spec, int maxPasses,
            long seed) {
        if (maxPasses < 1) {
            throw new IllegalArgumentException("maxPasses must be at least 1, got " + maxPasses);
        }
        long t0 = System.nanoTime();
        spec.check(reference);
        spec.check(model);
        requireBounded(spec);
        Permutation p = Permutation.identity(spec);
        double before = objective(reference, model, p);
        double norms = Math.sqrt(squaredNorm(reference) * squaredNorm(model));
        List<Double> byPass = new ArrayList<>();
        boolean converged = false;
        long state = seed;
        List<PermutationSpec.Group> groups = new ArrayList<>(spec.groups());
        for (int pass = 0; pass < maxPasses && !converged; pass++) {
            // a seeded shuffle of the groups, as the reference implementation visits them in random order
            for (int i = groups.size() - 1; i > 0; i--) {
                state += SplitMix.GOLDEN;
                int j = (int) Long.remainderUnsigned(SplitMix.mix(state), i + 1);
                PermutationSpec.Group t = groups.get(i);
                groups.set(i, groups.get(j));
                groups.set(j, t);
            }
            boolean changed = false;
            for (PermutationSpec.Group g : groups) {
                int[] best = maxAssignment(cost(reference, model, p, g));
                if (java.util.Arrays.equals(best, p.order(g.name()))) {
                    continue;
                }
                Permutation candidate = p.with(g.name(), best);
                if (groupObjective(reference, model, candidate, g) > groupObjective(reference, model, p, g)) {
                    p = candidate;
                    changed = true;
                }
            }
            byPass.add(objective(reference, model, p));
            converged = !changed;
        }
        double after = objective(reference, model, p);
        return new Result(p, before, after, norms == 0 ? 0 : before / norms, norms == 0 ? 0 : after / norms,
                List.copyOf(byPass), converged, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The weight-matching objective of a permutation found otherwise (activation matching), for its provenance. */
    public static Result evaluate(ModelWeights reference, ModelWeights model, Permutation p, long millis) {
        double norms = Math.sqrt(squaredNorm(reference) * squaredNorm(model));
        double before = objective(reference, model, Permutation.identity(p.spec()));
        double after = objective(reference, model, p);
        return new Result(p, before, after, norms == 0 ? 0 : before / norms, norms == 0 ? 0 : after / norms,
                List.of(), true, millis);
    }

    /** {@code sum_t <A_t, P(B)_t>} over every floating tensor, accumulated in double. */
    public static double objective(ModelWeights reference, ModelWeights model, Permutation p) {
        double sum = 0;
        for (NamedTensor a : reference.tensors()) {
            if (a.dtype().isFloating()) {
                float[] x = a.floatValues();
                float[] y = p.permute(model.get(a.name()), null).floatValues();
                for (int i = 0; i < x.length; i++) {
                    sum += (double) x[i] * y[i];
                }
            }
        }
        return sum;
    }

    /** The part of the objective that depends on group g: the tensors it touches. */
    private static double groupObjective(ModelWeights reference, ModelWeights model, Permutation p,
            PermutationSpec.Group g) {
        double sum = 0;
        Set<String> seen = new HashSet<>();
        for (PermutationSpec.Slot s : g.slots()) {
            if (seen.add(s.tensor())) {
                float[] x = reference.get(s.tensor()).floatValues();
                float[] y = p.permute(model.get(s.tensor()), null).floatValues();
                for (int i = 0; i < x.length; i++) {
                    sum += (double) x[i] * y[i];
                }
            }
        }
        return sum;
    }

    private static double squaredNorm(ModelWeights w) {
        double sum = 0;
        for (NamedTensor t : w.tensors()) {
            if (t.dtype().isFloating()) {
                for (float v : t.floatValues()) {
                    sum += (double) v * v;
                }
            }
        }
        return sum;
    }

    /**
     * {@code cost[i][j]}: what the objective gains from putting B's channel j at position i of group g, with every
     * other group in its current order.
     */
    static double[][] cost(ModelWeights reference, ModelWeights model, Permutation p, PermutationSpec.Group g) {
        int n = g.size();
        double[][] c = new double[n][n];
        for (PermutationSpec.Slot s : g.slots()) {
            NamedTensor a = reference.get(s.tensor());
            float[] x = a.floatValues();
            float[] y = p.permute(model.get(s.tensor()), s).floatValues();
            int[] shape = a.shape();
            int outer = 1;
            for (int d = 0; d < s.axis(); d++) {
                outer *= shape[d];
            }
            int inner = 1;
            for (int d = s.axis() + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            int len = shape[s.axis()];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < n; i++) {
                    int ai = (o * len + s.offset() + i) * inner;
                    for (int j = 0; j < n; j++) {
                        int bj = (o * len + s.offset() + j) * inner;
                        double dot = 0;
                        for (int k = 0; k < inner; k++) {
                            dot += (double) x[ai + k] * y[bj + k];
                        }
                        c[i][j] += dot;
                    }
                }
            }
        }
        return c;
    }

    /** The order maximising {@code sum_i cost[i][order[i]]}: a perfect matching of minimal weight on max - cost. */
    public static int[] maxAssignment(double[][] cost) {
        int n = cost.length;
        if (n == 1) {
            return new int[] {0};
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : cost) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        Graph<Integer, DefaultWeightedEdge> graph = new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
        Set<Integer> rows = new LinkedHashSet<>();
        Set<Integer> cols = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            graph.addVertex(i);
            rows.add(i);
        }
        for (int j = 0; j < n; j++) {
            graph.addVertex(n + j);
            cols.add(n + j);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                DefaultWeightedEdge e = graph.addEdge(i, n + j);
                graph.setEdgeWeight(e, max - cost[i][j]);
            }
        }
        MatchingAlgorithm.Matching<Integer, DefaultWeightedEdge> m =
                new KuhnMunkresMinimalWeightBipartitePerfectMatching<>(graph, rows, cols).getMatching();
        int[] order = new int[n];
        Set<Integer> used = new HashSet<>();
        for (DefaultWeightedEdge e : m.getEdges()) {
            int u = graph.getEdgeSource(e);
            int v = graph.getEdgeTarget(e);
            int row = Math.min(u, v);
            int col = Math.max(u, v) - n;
            order[row] = col;
            used.add(row);
        }
        if (used.size() != n) {
            throw new IllegalStateException("assignment covered " + used.size() + " of " + n + " channels");
        }
        return order;
    }
}
