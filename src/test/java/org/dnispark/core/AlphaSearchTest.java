package org.dnispark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

class AlphaSearchTest {

    private static AlphaSearch run(AlphaSearch s, DoubleUnaryOperator score) {
        for (OptionalDouble x = s.next(); x.isPresent(); x = s.next()) {
            s.tell(score.applyAsDouble(x.getAsDouble()));
        }
        return s;
    }

    /** Curves shaped like sweeps: a smooth peak, a skewed one, a kink, and maxima at or near either end. */
    private static final double[] PEAKS = {0.0, 0.02, 0.13, 0.37, 0.5, 0.618, 0.81, 0.985, 1.0};

    @Test
    void everyMethodFindsTheMaximiserWithinTheToleranceAndStaysInsideTheBracket() {
        for (AlphaSearch.Method method : AlphaSearch.Method.values()) {
            for (double tol : new double[] {0.025, 0.01, 0.001}) {
                for (double p : PEAKS) {
                    DoubleUnaryOperator[] curves = {
                        x -> 30 - 8 * (x - p) * (x - p),
                        x -> 30 - Math.abs(x - p) * (x < p ? 3 : 11), // a kink, asymmetric
                        x -> 30 - Math.pow(Math.abs(x - p), 1.5) - 4 * Math.pow(x - p, 4),
                    };
                    for (DoubleUnaryOperator f : curves) {
                        AlphaSearch s = run(new AlphaSearch(method, 0, 1, tol, 100), f);
                        String what = method + " tol " + tol + " peak " + p;
                        assertTrue(s.converged(), what);
                        assertTrue(Math.abs(s.best() - p) <= tol + 1e-12, what + ": best " + s.best());
                        double[] br = s.bracket();
                        assertTrue(br[0] <= p && p <= br[1], what + ": bracket excludes the peak");
                        assertTrue(br[1] - s.best() <= tol + 1e-12 && s.best() - br[0] <= tol + 1e-12, what);
                        for (AlphaSearch.Evaluation e : s.evaluations()) {
                            assertTrue(e.x() > 0 && e.x() < 1, what + ": evaluated " + e.x() + " on or outside [0, 1]");
                            assertTrue(e.score() <= s.bestScore(), what + ": best is not the best evaluated");
                        }
                        for (int i = 0; i < s.evaluations().size(); i++) {
                            for (int j = 0; j < i; j++) {
                                double gap = Math.abs(s.evaluations().get(i).x() - s.evaluations().get(j).x());
                                assertTrue(gap >= tol / 2 - 1e-12, what + ": two points " + gap + " apart");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void goldenSectionShrinksTheBracketByTheGoldenRatioAndBrentNeedsFewerPointsOnASmoothPeak() {
        // golden section: the bracket after n points is (0.618...)^(n-1) of the first, so a tolerance of 0.025 on
        // [0, 1] (stop once the bracket is at most 0.025 either side of the best) takes about 9 points
        AlphaSearch g = run(new AlphaSearch(AlphaSearch.Method.GOLDEN, 0, 1, 0.025, 100), x -> -(x - 0.4) * (x - 0.4));
        int n = g.evaluations().size();
        assertTrue(n >= 7 && n <= 10, "golden section took " + n + " points");
        g.evaluations().forEach(e -> assertTrue(e.step().equals("start") || e.step().equals("golden")));
        AlphaSearch b = run(new AlphaSearch(AlphaSearch.Method.BRENT, 0, 1, 0.025, 100), x -> -(x - 0.4) * (x - 0.4));
        assertTrue(b.evaluations().size() < n, "Brent took " + b.evaluations().size() + ", golden section " + n);
        assertTrue(b.evaluations().stream().anyMatch(e -> e.step().equals("parabolic")));
        assertEquals(0.4, b.best(), 0.025);
    }

    @Test
    void aBracketOtherThanTheUnitIntervalAndTheEvaluationCap() {
        // a path through 4 models is searched along t in [0, 3]
        AlphaSearch s = run(new AlphaSearch(AlphaSearch.Method.BRENT, 0, 3, 0.05, 100), x -> -Math.abs(x - 2.2));
        assertEquals(2.2, s.best(), 0.05);
        AlphaSearch capped = run(new AlphaSearch(AlphaSearch.Method.GOLDEN, 0, 1, 0.001, 4), x -> -x * x);
        assertEquals(4, capped.evaluations().size());
        assertFalse(capped.converged());
    }

    @Test
    void askingTwiceGivesTheSamePointAndBadArgumentsAreRefused() {
        AlphaSearch s = new AlphaSearch(AlphaSearch.Method.BRENT, 0, 1, 0.025, 10);
        assertEquals(s.next().getAsDouble(), s.next().getAsDouble());
        assertThrows(IllegalArgumentException.class, () -> s.tell(Double.NaN));
        AlphaSearch fresh = new AlphaSearch(AlphaSearch.Method.BRENT, 0, 1, 0.025, 10);
        assertThrows(IllegalStateException.class, () -> fresh.tell(1));
        assertThrows(IllegalStateException.class, fresh::best);
        assertThrows(IllegalArgumentException.class, () -> new AlphaSearch(AlphaSearch.Method.BRENT, 1, 0, 0.1, 10));
        assertThrows(IllegalArgumentException.class, () -> new AlphaSearch(AlphaSearch.Method.BRENT, 0, 1, 0.6, 10));
        assertThrows(IllegalArgumentException.class, () -> new AlphaSearch(AlphaSearch.Method.BRENT, 0, 1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new AlphaSearch(AlphaSearch.Method.GOLDEN, 0, 1, 0.1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new AlphaSearch(AlphaSearch.Method.GOLDEN, 0, Double.NaN, 0.1, 5));
    }
}
