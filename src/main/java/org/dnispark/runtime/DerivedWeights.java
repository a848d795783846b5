package org.dnispark.runtime;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * Tensors a network derives from a weight set before it can run it (SPAN's fused convolutions), kept per weight set
 * so that swapping back to one derives nothing again. A sweep's task swaps every coefficient in once per block of
 * images; without this, SPAN rebuilt its 20 fused convolutions at each swap, a third of its forward time (issue 29).
 * Weight sets are told apart by identity (each coefficient's weights are one object in an executor), and held
 * weakly, so a finished run's weights are not kept alive. The first sets derived are kept up to a byte budget and
 * never evicted: a task visits the coefficients in the same cycle block after block, which evicting the oldest would
 * turn into no hits at all. Not thread-safe: a network belongs to one task at a time.
 */
public final class DerivedWeights {
    private final long budgetBytes;
    private final List<Entry> entries = new ArrayList<>();
    private long bytes;

    private record Entry(WeakReference<ModelWeights> source, Map<String, NamedTensor> derived, long bytes) {
    }

    /** @param budgetBytes the most the kept tensors may hold, in float32 bytes */
    public DerivedWeights(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The tensors derived from {@code weights}: kept ones, else {@code derive}'s (kept while the budget allows). */
    public Map<String, NamedTensor> of(ModelWeights weights, Function<ModelWeights, Map<String, NamedTensor>> derive) {
        entries.removeIf(e -> {
            if (e.source().get() == null) {
                bytes -= e.bytes();
                return true;
            }
            return false;
        });
        for (Entry e : entries) {
            if (e.source().get() == weights) {
                return e.derived();
            }
        }
        Map<String, NamedTensor> d = Map.copyOf(derive.apply(weights));
        long size = 0;
        for (NamedTensor t : d.values()) {
            size += 4L * t.floatValues().length;
        }
        if (bytes + size <= budgetBytes) {
            entries.add(new Entry(new WeakReference<>(weights), d, size));
            bytes += size;
        }
        return d;
    }

    /** How many weight sets are kept (for tests). */
    int kept() {
        return entries.size();
    }
}
