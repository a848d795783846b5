package org.dnispark.arch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.dnispark.align.PermutationSpec;
import org.dnispark.core.ModelWeights;
import org.dnispark.runtime.TrainableNetwork;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.StateDictNetwork;
import org.dnispark.runtime.NetworkGeometry;
import org.dnispark.runtime.Ops;

/**
 * SRVGGNetCompact, the compact network of Real-ESRGAN's general models ({@code realesr-general-x4v3}, its
 * {@code -wdn} denoising twin, and community models such as 2x-AniScale), with BasicSR's key names:
 * {@code body.0} conv 3x3, {@code body.1} PReLU, then {@code num_conv} (conv, PReLU) pairs, a last conv to
 * {@code 3*r*r} channels, pixel shuffle by r, plus the input up-sampled by nearest neighbour.
 */
public final class SrvggNetCompact extends StateDictNetwork {
    static final Architecture ARCHITECTURE = new Architecture("srvggnet-compact", "SRVGGNetCompact (Real-ESRGAN "
            + "general models): body.0 conv, body.1 PReLU, ..., last conv to 3*r*r", SrvggNetCompact::detect,
            SrvggNetCompact::permutations);

    /**
     * Each conv's outputs but the last, with the PReLU slopes after it, feed the next conv. The last conv's outputs
     * are pixel-shuffled and added to the up-sampled input, so they stay.
     */
    static PermutationSpec permutations(ModelWeights w) {
        int last = 2 * ((w.tensorCount() - 5) / 3) + 2;
        PermutationSpec.Builder b = new PermutationSpec.Builder("srvggnet-compact", w);
        for (int i = 0; i < last; i += 2) {
            b.chain("body." + i, List.of("body." + i + ".weight", "body." + i + ".bias", "body." + (i + 1) + ".weight"),
                    List.of("body." + (i + 2) + ".weight"));
        }
        return b.build();
    }

    private final int convs;
    private final int scale;
    /** The PReLU layers whose slopes are all at most 1, in the weights loaded last (see {@link #prelu}). */
    private Set<Integer> slopesAtMostOne = Set.of();

    SrvggNetCompact(int numConv, int scale, NDManager parent) {
        super(parent);
        this.convs = numConv;
        this.scale = scale;
    }

    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager into) {
        Map<String, NDArray> p = super.load(weights, into);
        Set<Integer> atMostOne = new HashSet<>();
        for (int layer = 1; layer < 2 * convs + 3; layer += 2) {
            if (slopesAtMostOne(weights.get("body." + layer + ".weight"))) {
                atMostOne.add(layer);
            }
        }
        slopesAtMostOne = atMostOne;
        return p;
    }

    /** The architecture's spec when {@code w} has its keys and shapes, else null. */
    public static NetworkSpec detect(ModelWeights w) {
        int n = w.tensorCount();
        // body.0 conv (2) + PReLU (1), num_conv x (conv 2 + PReLU 1), last conv (2)
        if ((n - 5) % 3 != 0 || n < 5) {
            return null;
        }
        int numConv = (n - 5) / 3;
        int last = 2 * numConv + 2;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            if (i % 2 == 0) {
                expected.add("body." + i + ".weight");
                expected.add("body." + i + ".bias");
            } else {
                expected.add("body." + i + ".weight");
            }
        }
        if (!w.names().equals(expected)) {
            return null;
        }
        int[] first = w.get("body.0.weight").shape();
        int[] end = w.get("body." + last + ".weight").shape();
        if (first.length != 4 || first[1] != 3 || first[2] != 3 || end.length != 4 || end[0] % 3 != 0) {
            return null;
        }
        int r = (int) Math.round(Math.sqrt(end[0] / 3.0));
        if (r * r * 3 != end[0]) {
            return null;
        }
        // Zero-padded 3x3 convolutions: each adds one pixel of receptive radius, at the input's resolution.
        return new Architecture.BuiltIn("SRVGGNetCompact(num_feat=" + first[0] + ", num_conv=" + numConv
                + ", upscale=" + r + ")", NetworkGeometry.padded(r, numConv + 2, 1), m -> new SrvggNetCompact(numConv, r, m));
    }

    /** The network on an NDArray batch: the one computation inference and {@link TrainableNetwork} share. */
    @Override
    protected NDArray forward(NDArray x) {
        NDArray out = x;
        for (int layer = 0; layer < 2 * convs + 3; layer++) {
            NDArray previous = out;
            if (layer % 2 == 0) {
                out = conv(out, "body." + layer);
            } else {
                NDArray alpha = Ops.scopedLike(params.get("body." + layer + ".weight").reshape(1, -1, 1, 1), out);
                out = prelu(out, alpha, slopesAtMostOne.contains(layer));
            }
            if (previous != x) {
                release(previous);
            }
        }
        NDArray base = x.repeat(2, scale).repeat(3, scale); // nearest-neighbour up-sampling
        NDArray shuffled = pixelShuffle(out, scale);
        NDArray result = shuffled.add(base);
        release(shuffled, base, out);
        return result;
    }
}
