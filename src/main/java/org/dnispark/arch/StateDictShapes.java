package org.dnispark.arch;

import java.util.Arrays;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * Shape checks for architecture detection: once a state dict's keys have said which architecture it is, every tensor
 * the network reads must have the shape its hyper-parameters imply, or the file is refused naming the key, what was
 * expected and what was found (never a shape error from deep inside the engine at the first image).
 */
final class StateDictShapes {
    private StateDictShapes() {
    }

    /**
     * The shape of {@code key}, after checking its rank and every dimension given (-1: any); refused when the key is
     * missing, not floating point, or shaped otherwise.
     */
    static int[] require(ModelWeights w, String key, int... dims) {
        return require(w, key, true, dims);
    }

    /** {@link #require} for an integer buffer (an index table, say). */
    static int[] requireInteger(ModelWeights w, String key, int... dims) {
        return require(w, key, false, dims);
    }

    private static int[] require(ModelWeights w, String key, boolean floating, int... dims) {
        NamedTensor t = w.get(key);
        String want = Arrays.toString(dims).replace("-1", "*");
        if (t == null) {
            throw new IllegalArgumentException("'" + w.label() + "': key " + key + " is missing; expected a tensor of "
                    + "shape " + want);
        }
        if (t.dtype().isFloating() != floating) {
            throw new IllegalArgumentException("'" + w.label() + "': key " + key + " holds " + t.dtype()
                    + "; expected " + (floating ? "floating point weights" : "an integer buffer") + " of shape "
                    + want);
        }
        int[] s = t.shape();
        boolean ok = s.length == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 ? s[i] > 0 : s[i] == dims[i];
        }
        if (!ok) {
            throw refuse(w, key, "shape " + want, s);
        }
        return s;
    }

    /** The refusal of a tensor whose shape contradicts what the architecture named by the keys needs. */
    static IllegalArgumentException refuse(ModelWeights w, String key, String expected, int[] found) {
        return new IllegalArgumentException("'" + w.label() + "': key " + key + " has shape " + Arrays.toString(found)
                + "; expected " + expected);
    }
}
