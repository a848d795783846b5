package org.dnispark.bench;

import java.util.List;

import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Metric;
import org.dnispark.metrics.MetricRegistry;
import org.dnispark.metrics.Quantised;

/**
 * What scoring one output costs in a sweep: the output quantised once and the default four metrics (PSNR and SSIM,
 * RGB and Y) against a ground truth prepared once, on a seeded random SIZE x SIZE image; the best of five rounds of
 * 20 outputs, and a checksum of the scores (equal checksums: equal bits). Usage: {@code MetricCost [SIZE]}.
 */
public final class MetricCost {
    private MetricCost() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        ScoredPair pair = ScoredPair.of(size);
        RgbImage output = pair.output();
        Quantised reference = Quantised.of(pair.truth());
        List<Metric> metrics = MetricRegistry.select(List.of("rgb", "y", "ssim-rgb", "ssim-y"));
        double checksum = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Quantised q = Quantised.of(output);
                for (Metric m : metrics) {
                    checksum += m.score(q, reference, 4);
                }
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf(java.util.Locale.ROOT, "%.3f ms per %dx%d output (quantise + four metrics); checksum %s%n",
                best / 20 / 1e6, size, size, Double.toString(checksum));
    }
}
