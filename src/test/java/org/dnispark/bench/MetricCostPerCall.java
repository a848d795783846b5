package org.dnispark.bench;

import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Psnr;
import org.dnispark.metrics.Ssim;

/**
 * {@link MetricCost}'s loop as the sweep scored before issue 26: four static metric calls per output, each quantising
 * both images itself. It uses only the static API every build has, so it runs against an older build's classes
 * (for example {@code target/bench/before-f9b6747/target/classes}, which jobs/bench-post-inference.sh builds) for the
 * figure before. Usage: {@code MetricCostPerCall [SIZE]}; equal checksums mean equal scores.
 */
public final class MetricCostPerCall {
    private MetricCostPerCall() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        ScoredPair pair = ScoredPair.of(size);
        RgbImage output = pair.output();
        RgbImage truth = pair.truth();
        double checksum = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                checksum += Psnr.rgb(output, truth, 4);
                checksum += Psnr.y(output, truth, 4);
                checksum += Ssim.rgb(output, truth, 4);
                checksum += Ssim.y(output, truth, 4);
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf(java.util.Locale.ROOT, "%.3f ms per %dx%d output (four calls, each quantising); checksum %s%n",
                best / 20 / 1e6, size, size, Double.toString(checksum));
    }
}
