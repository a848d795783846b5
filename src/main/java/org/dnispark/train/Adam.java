package org.dnispark.train;

import java.util.HashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.dnispark.runtime.FiniteCheck;
import org.dnispark.runtime.Tensors;

/**
 * Adam (Kingma and Ba) with bias correction, written out so that its moments can be checkpointed and a resumed run
 * continues exactly where it stopped. The moments live in the caller's long-lived manager.
 */
final class Adam {
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    final Map<String, NDArray> first = new HashMap<>();
    final Map<String, NDArray> second = new HashMap<>();

    /** Moments for a parameter: zeros, or the checkpointed ones. */
    void init(String name, NDArray param, NDArray m, NDArray v, NDManager owner) {
        first.put(name, m != null ? m : owner.zeros(param.getShape()));
        second.put(name, v != null ? v : owner.zeros(param.getShape()));
    }

    /**
     * One update of {@code param} in place from its accumulated gradient, which is then zeroed. {@code t} counts
     * updates from 1. Temporaries go to {@code scope}.
     */
    void update(String name, NDArray param, long t, float lr, NDManager scope) {
        NDArray g = param.getGradient();
        g.attach(scope);
        FiniteCheck.check(g, name, "gradient");
        NDArray m = first.get(name);
        NDArray v = second.get(name);
        // scalars are engine-owned and scope-owned (Tensors.scalar on the scope-owned gradient)
        m.muli(Tensors.scalar(g, BETA1)).addi(g.mul(Tensors.scalar(g, 1 - BETA1)));
        v.muli(Tensors.scalar(g, BETA2)).addi(g.square().muli(Tensors.scalar(g, 1 - BETA2)));
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        // temporaries start from the scope-owned gradient so that none lands in the long-lived manager
        NDArray mHat = g.zerosLike().addi(m).divi(Tensors.scalar(g, c1));
        NDArray denominator = g.zerosLike().addi(v).divi(Tensors.scalar(g, c2)).sqrt().addi(Tensors.scalar(g, EPS));
        param.subi(mHat.divi(denominator).muli(Tensors.scalar(g, lr)));
        FiniteCheck.check(param, name, "Adam update");
        g.subi(g);
    }
}
