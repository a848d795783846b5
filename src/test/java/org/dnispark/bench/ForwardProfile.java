package org.dnispark.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import ai.djl.ndarray.NDManager;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.ImageNetwork;
import org.dnispark.runtime.NetworkSpec;

/**
 * Where one forward pass of a network spends its time in libtorch (issue 29): the network of a model file (as the jobs
 * build it), one torch thread, a seeded random input of SIZE x SIZE; WARM passes are timed apart (the first includes
 * the engine's start), then N passes are timed and profiled with libtorch's own profiler (DJL's JniUtils, which
 * writes a Chrome trace). src/test/python/profile_summary.py reads the trace beside PyTorch's.
 * Usage: {@code ForwardProfile MODEL SIZE WARM N TRACE}
 */
public final class ForwardProfile {
    private ForwardProfile() {
    }

    public static void main(String[] args) throws Exception {
        Engines.configure(1);
        String model = args[0];
        int size = Integer.parseInt(args[1]);
        int warm = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        ModelSet models = ModelSet.load(List.of(model), new ModelStore(Path.of(model).getParent().toString(),
                new Configuration(), new org.dnispark.models.ModelPolicy(org.dnispark.formats.ReadLimits.DEFAULT,
                        false)));
        NetworkSpec spec = models.network();
        float[] input = new float[3 * size * size];
        Random r = new Random(29);
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextFloat();
        }
        int[] shape = new int[3];
        try (NDManager m = NDManager.newBaseManager(); ImageNetwork net = spec.create(m)) {
            net.setWeights(models.weights().get(0));
            for (int i = 0; i < warm; i++) {
                long t = System.nanoTime();
                net.forward(input, 1, 3, size, size, shape);
                System.out.printf(Locale.ROOT, "warm-up pass %d: %.1f ms%n", i + 1, (System.nanoTime() - t) / 1e6);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                net.forward(input, 1, 3, size, size, shape);
            }
            double plain = (System.nanoTime() - t0) / 1e6 / n;
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            jni.getMethod("startProfile", boolean.class, boolean.class, boolean.class).invoke(null, false, false,
                    false);
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                net.forward(input, 1, 3, size, size, shape);
            }
            double profiled = (System.nanoTime() - t1) / 1e6 / n;
            jni.getMethod("stopProfile", String.class).invoke(null, args[4]);
            System.out.printf(Locale.ROOT, "%s: %.1f ms per forward (%.1f ms profiled), %d passes of %dx%d, 1 thread%n",
                    spec.name(), plain, profiled, n, size, size);
        }
    }
}
