package org.dnispark.core;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A one-dimensional maximisation (or, for a lower-is-better metric, minimisation) of a score (a sweep's mean metric) over a bracket {@code [lo, hi]}, asked and told
 * one point at a time so that each evaluation can be a Spark stage: {@link #next()} names the point to evaluate,
 * {@link #tell(double)} gives its score. Golden-section search, or Brent's method (golden-section steps with a
 * parabola through the three best points whenever it falls safely inside the bracket).
 *
 * <p>The guarantee, for a score that is unimodal on the bracket: when the search converges, the maximiser lies in
 * {@link #bracket()} and {@link #best()} is within {@code tolerance} of every point of it. Points closer than half
 * the tolerance to one another are never evaluated, and the bracket's ends never are (a maximum at an end is
 * approached to within the tolerance). A score that is not unimodal gives a local maximum.
 */
public final class AlphaSearch {
    /** (3 - sqrt 5) / 2: the golden-section fraction of the larger part. */
    private static final double GOLDEN = 0.3819660112501051;

    public enum Method { GOLDEN, BRENT }

    /** One evaluated point, in evaluation order: its number, where, its score and which kind of step chose it. */
    public record Evaluation(int number, double x, double score, String step) {
    }

    private final Method method;
    /** Whether a lower score is better (the search then minimises it). */
    private final boolean minimise;
    private final double tolerance;
    private final int maxEvaluations;
    private final List<Evaluation> evaluations = new ArrayList<>();
    // Brent's state, for minimising -score (or the score itself with minimise): bracket [a, b]; x the best point, w the second best, v the previous w.
    private double a;
    private double b;
    private double x;
    private double w;
    private double v;
    private double fx;
    private double fw;
    private double fv;
    private double d;
    private double e;
    /** The point handed out by next() and not yet told, else NaN. */
    private double pending = Double.NaN;
    private String pendingStep;
    private boolean converged;

    /**
     * @param tolerance      the guarantee on {@link #best()} (see above), in the bracket's units; at most half the
     *                       bracket
     * @param maxEvaluations the search stops unconverged after this many points (at least 2)
     */
    public AlphaSearch(Method method, double lo, double hi, double tolerance, int maxEvaluations) {
        this(method, lo, hi, tolerance, maxEvaluations, false);
    }

    /** As above; with {@code minimise}, a lower score is better and the search finds the minimiser. */
    public AlphaSearch(Method method, double lo, double hi, double tolerance, int maxEvaluations, boolean minimise) {
        if (method == null) {
            throw new IllegalArgumentException("a search needs a method");
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(hi > lo)) {
            throw new IllegalArgumentException("search bracket [" + lo + ", " + hi + "]: expected finite lo < hi");
        }
        if (!(tolerance > 0) || tolerance > (hi - lo) / 2) {
            throw new IllegalArgumentException("search tolerance " + tolerance + ": expected > 0 and at most half the "
                    + "bracket [" + lo + ", " + hi + "]");
        }
        if (maxEvaluations < 2) {
            throw new IllegalArgumentException("a search needs at least 2 evaluations, not " + maxEvaluations);
        }
        this.method = method;
        this.minimise = minimise;
        this.tolerance = tolerance;
        this.maxEvaluations = maxEvaluations;
        this.a = lo;
        this.b = hi;
    }

    /** The next point to evaluate, or empty when the search has converged or used its evaluations. */
    public OptionalDouble next() {
        if (!Double.isNaN(pending)) {
            return OptionalDouble.of(pending); // asked again before telling: the same point
        }
        if (evaluations.isEmpty()) {
            pendingStep = "start";
            pending = a + GOLDEN * (b - a);
            return OptionalDouble.of(pending);
        }
        if (converged || evaluations.size() >= maxEvaluations) {
            return OptionalDouble.empty();
        }
        double tol1 = halfTolerance();
        double tol2 = 2 * tol1;
        double m = 0.5 * (a + b);
        if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) {
            converged = true;
            return OptionalDouble.empty();
        }
        boolean parabolic = false;
        if (method == Method.BRENT && Math.abs(e) > tol1) {
            // the parabola through (x, fx), (w, fw), (v, fv): its vertex is x + p / q
            double r = (x - w) * (fx - fv);
            double q = (x - v) * (fx - fw);
            double p = (x - v) * q - (x - w) * r;
            q = 2 * (q - r);
            if (q > 0) {
                p = -p;
            }
            q = Math.abs(q);
            double previousStep = e;
            e = d;
            // accept only a step inside the bracket and smaller than half the step before last (else it may cycle)
            if (Math.abs(p) < Math.abs(0.5 * q * previousStep) && p > q * (a - x) && p < q * (b - x)) {
                d = p / q;
                double u = x + d;
                if (u - a < tol2 || b - u < tol2) {
                    d = m > x ? tol1 : -tol1;
                }
                parabolic = true;
            }
        }
        if (!parabolic) {
            e = x >= m ? a - x : b - x;
            d = GOLDEN * e;
        }
        pendingStep = parabolic ? "parabolic" : "golden";
        pending = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
        return OptionalDouble.of(pending);
    }

    /** The score at the point {@link #next()} returned; a NaN score is refused (an empty evaluation means a bug). */
    public void tell(double score) {
        if (Double.isNaN(pending)) {
            throw new IllegalStateException("tell() without a point from next()");
        }
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("the score at " + pending + " is NaN");
        }
        double u = pending;
        double fu = minimise ? score : -score;
        evaluations.add(new Evaluation(evaluations.size() + 1, u, score, pendingStep));
        pending = Double.NaN;
        if (evaluations.size() == 1) {
            x = w = v = u;
            fx = fw = fv = fu;
            return;
        }
        if (fu <= fx) {
            if (u >= x) {
                a = x;
            } else {
                b = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if (u < x) {
                a = u;
            } else {
                b = u;
            }
            if (fu <= fw || w == x) {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u;
                fv = fu;
            }
        }
    }

    private double halfTolerance() {
        return tolerance / 2 + 1e-12 * Math.abs(x);
    }

    /** Whether the bracket has shrunk to the tolerance (false while running, or when stopped by the evaluation cap). */
    public boolean converged() {
        return converged;
    }

    /** The best point evaluated so far. */
    public double best() {
        requireEvaluated();
        return x;
    }

    public double bestScore() {
        requireEvaluated();
        return minimise ? fx : -fx;
    }

    /** Where the maximiser lies (for a unimodal score): {@code [a, b]}. */
    public double[] bracket() {
        return new double[] {a, b};
    }

    public List<Evaluation> evaluations() {
        return List.copyOf(evaluations);
    }

    public Method method() {
        return method;
    }

    public double tolerance() {
        return tolerance;
    }

    private void requireEvaluated() {
        if (evaluations.isEmpty()) {
            throw new IllegalStateException("nothing evaluated yet");
        }
    }
}
