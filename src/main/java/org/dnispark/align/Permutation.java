package org.dnispark.align;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.core.SplitMix;
import org.dnispark.provenance.Sha256;

/**
 * One order per group of a {@link PermutationSpec}: {@code order(g)[i]} is the channel of the source model that
 * moves to position {@code i}. Applying it only moves values, so the result holds exactly the source's values.
 */
public final class Permutation implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PermutationSpec spec;
    private final LinkedHashMap<String, int[]> orders;

    public Permutation(PermutationSpec spec, Map<String, int[]> orders) {
        this.spec = spec;
        this.orders = new LinkedHashMap<>();
        for (PermutationSpec.Group g : spec.groups()) {
            int[] o = orders.get(g.name());
            if (o == null) {
                throw new IllegalArgumentException("no order for permutation group '" + g.name() + "'");
            }
            checkOrder(g, o);
            this.orders.put(g.name(), o.clone());
        }
        if (orders.size() != spec.groups().size()) {
            throw new IllegalArgumentException("orders for " + orders.size() + " groups, but the spec has "
                    + spec.groups().size());
        }
    }

    private static void checkOrder(PermutationSpec.Group g, int[] o) {
        boolean[] seen = new boolean[g.size()];
        boolean ok = o.length == g.size();
        for (int i = 0; ok && i < o.length; i++) {
            ok = o[i] >= 0 && o[i] < g.size() && !seen[o[i]];
            if (ok) {
                seen[o[i]] = true;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("order of group '" + g.name() + "' is not a permutation of 0.."
                    + (g.size() - 1));
        }
    }

    /** The identity: every channel stays. */
    public static Permutation identity(PermutationSpec spec) {
        Map<String, int[]> o = new HashMap<>();
        for (PermutationSpec.Group g : spec.groups()) {
            o.put(g.name(), identityOrder(g.size()));
        }
        return new Permutation(spec, o);
    }

    /** A seeded uniformly random permutation of every group (Fisher-Yates on SplitMix), for invariance checks. */
    public static Permutation random(PermutationSpec spec, long seed) {
        Map<String, int[]> o = new HashMap<>();
        long state = seed;
        for (PermutationSpec.Group g : spec.groups()) {
            int[] order = identityOrder(g.size());
            for (int i = order.length - 1; i > 0; i--) {
                state += SplitMix.GOLDEN;
                int j = (int) Long.remainderUnsigned(SplitMix.mix(state), i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            o.put(g.name(), order);
        }
        return new Permutation(spec, o);
    }

    static int[] identityOrder(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        return o;
    }

    public PermutationSpec spec() {
        return spec;
    }

    public int[] order(String group) {
        int[] o = orders.get(group);
        if (o == null) {
            throw new IllegalArgumentException("no permutation group '" + group + "'");
        }
        return o.clone();
    }

    /** A copy with one group's order replaced. */
    Permutation with(String group, int[] order) {
        Map<String, int[]> o = new LinkedHashMap<>(orders);
        o.put(group, order);
        return new Permutation(spec, o);
    }

    /** How many channels leave their place. */
    public int movedChannels() {
        int moved = 0;
        for (int[] o : orders.values()) {
            for (int i = 0; i < o.length; i++) {
                moved += o[i] != i ? 1 : 0;
            }
        }
        return moved;
    }

    /** SHA-256 of the group names and orders, for provenance: equal digests mean equal permutations. */
    public String digest() {
        MessageDigest md = Sha256.digest();
        for (Map.Entry<String, int[]> e : orders.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(4 * (e.getValue().length + 1));
            b.putInt(e.getValue().length);
            for (int v : e.getValue()) {
                b.putInt(v);
            }
            md.update(b.array());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Tensor {@code t} with every slot but {@code except} (null: none left out) reordered. */
    NamedTensor permute(NamedTensor t, PermutationSpec.Slot except) {
        List<Object[]> slots = new ArrayList<>();
        for (PermutationSpec.Group g : spec.groups()) {
            for (PermutationSpec.Slot s : g.slots()) {
                if (s.tensor().equals(t.name()) && !s.equals(except)) {
                    slots.add(new Object[] {s, orders.get(g.name())});
                }
            }
        }
        return slots.isEmpty() ? t : reorder(t, slots);
    }

    /** The model with every group's slots reordered; tensors no group names are the same objects. */
    public ModelWeights apply(ModelWeights model) {
        spec.check(model);
        List<NamedTensor> out = new ArrayList<>();
        for (NamedTensor t : model.tensors()) {
            out.add(permute(t, null));
        }
        return new ModelWeights(model.label(), out);
    }

    private static NamedTensor reorder(NamedTensor t, List<Object[]> slots) {
        int[] shape = t.shape();
        int[][] maps = new int[shape.length][];
        for (Object[] so : slots) {
            PermutationSpec.Slot s = (PermutationSpec.Slot) so[0];
            int[] order = (int[]) so[1];
            if (maps[s.axis()] == null) {
                maps[s.axis()] = identityOrder(shape[s.axis()]);
            }
            for (int i = 0; i < order.length; i++) {
                maps[s.axis()][s.offset() + i] = s.offset() + order[i];
            }
        }
        float[] values = t.floatValues();
        for (int axis = 0; axis < shape.length; axis++) {
            if (maps[axis] != null) {
                values = gather(values, shape, axis, maps[axis]);
            }
        }
        return NamedTensor.ofFloats(t.name(), shape, t.dtype(), values);
    }

    /** {@code out[.., i, ..] = in[.., map[i], ..]} along one axis. */
    static float[] gather(float[] in, int[] shape, int axis, int[] map) {
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int n = shape[axis];
        float[] out = new float[in.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(in, (o * n + map[i]) * inner, out, (o * n + i) * inner, inner);
            }
        }
        return out;
    }

    /** Group name to order, for manifests. */
    public Map<String, int[]> orders() {
        Map<String, int[]> o = new LinkedHashMap<>();
        orders.forEach((k, v) -> o.put(k, v.clone()));
        return o;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Permutation p) || !p.orders.keySet().equals(orders.keySet())) {
            return false;
        }
        for (Map.Entry<String, int[]> e : orders.entrySet()) {
            if (!Arrays.equals(e.getValue(), p.orders.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return orders.keySet().hashCode();
    }
}
