package org.dnispark.bench;

import java.util.Random;

import org.dnispark.image.RgbImage;

/**
 * The scoring benchmarks' images: a seeded random SIZE x SIZE ground truth and an output within 0.1 of it, the same
 * pixels in every benchmark, so that their checksums compare. Uses only {@link RgbImage}'s constructor, which every
 * build has, so that {@link MetricCostPerCall} still runs against an older build's classes.
 */
record ScoredPair(RgbImage truth, RgbImage output) {
    static ScoredPair of(int size) {
        Random r = new Random(1);
        float[] t = new float[3 * size * size];
        float[] o = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextFloat();
            o[i] = Math.min(1f, Math.max(0f, t[i] + (r.nextFloat() - 0.5f) * 0.2f));
        }
        return new ScoredPair(new RgbImage(size, size, t), new RgbImage(size, size, o));
    }
}
