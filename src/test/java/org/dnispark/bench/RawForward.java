package org.dnispark.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;

/**
 * The reference loop the sweep's inference is measured against: the same models, the same decoded and degraded
 * images, the same interpolated weights, run through the predictor directly (no Spark), on {@code threads} threads of
 * one torch thread each, as the sweep's tasks run. Decoding is not timed. Prints inferences per second.
 * Usage: {@code RawForward CACHE MODEL_A MODEL_B IMAGES DOWN ALPHAS THREADS [EXPORT]} (DOWN 0: the model's scale,
 * -1: none); EXPORT, a folder, receives the network inputs as PNG for another tool's loop. {@code -Dlayout=nchw}
 * runs the activations in NCHW order instead of the architecture's own choice ({@code -Dlayout=channels-last}
 * forces that), to measure the layouts side by side.
 */
public final class RawForward {
    private RawForward() {
    }

    public static void main(String[] args) throws Exception {
        Engines.configure(1);
        ModelSet models = ModelSet.load(List.of(args[1], args[2]), new ModelStore(args[0], new Configuration(), new org.dnispark.models.ModelPolicy(org.dnispark.formats.ReadLimits.DEFAULT, true)));
        NetworkSpec network = models.network();
        int down = Integer.parseInt(args[4]);
        List<Double> alphas = new ArrayList<>();
        for (String a : args[5].split(",")) {
            alphas.add(Double.parseDouble(a));
        }
        int threads = Integer.parseInt(args[6]);
        int scale = network.geometry().scale();
        List<RgbImage> inputs = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(args[3]))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                RgbImage img = ImageCodec.decode(Files.readAllBytes(p), p.toString());
                String name = p.getFileName().toString().replaceFirst("\\.png$", "");
                inputs.add(down < 0 ? img : DegradationStep.applyAll(List.of(DegradationStep.bicubicDown(down)),
                        img.modCrop(scale), scale, 20190616L, name));
            }
        }
        if (args.length > 7) {
            Files.createDirectories(Path.of(args[7]));
            for (int i = 0; i < inputs.size(); i++) {
                Files.write(Path.of(args[7], String.format("in%05d.png", i)), ImageCodec.encodePng(inputs.get(i)));
            }
        }
        List<ModelWeights> weights = new ArrayList<>();
        for (double a : alphas) {
            weights.add(Interpolation.lerp(models.weights().get(0), models.weights().get(1), a,
                    Interpolation.Options.defaults()));
        }
        // one warm-up pass per thread (engine start, JIT, first allocations), timed apart and kept out of the
        // steady-state rate, as the PyTorch loops it is compared with warm up before timing (issue 29)
        List<Thread> pool = new ArrayList<>();
        long[] done = new long[threads];
        long[] warmNanos = new long[threads];
        java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(threads + 1);
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(threads + 1);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try (TiledPredictor p = new TiledPredictor(network, 256, 1, null, false)) {
                    String layout = System.getProperty("layout", "");
                    if (!layout.isEmpty()) {
                        p.channelsLast(layout.equals("channels-last"));
                    }
                    long w0 = System.nanoTime();
                    p.setWeights(weights.get(0));
                    p.run(inputs.get(id % inputs.size()));
                    warmNanos[id] = System.nanoTime() - w0;
                    ready.await();
                    go.await();
                    for (ModelWeights w : weights) {
                        p.setWeights(w);
                        for (int i = id; i < inputs.size(); i += threads) {
                            p.run(inputs.get(i));
                            done[id]++;
                        }
                    }
                } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
                    throw new IllegalStateException(e);
                }
            });
            pool.add(th);
            th.start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.await();
        for (Thread th : pool) {
            th.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long warm = 0;
        for (long w : warmNanos) {
            warm = Math.max(warm, w);
        }
        System.out.printf(Locale.ROOT, "warm-up: %.0f ms (each thread's first pass: engine start, JIT, first "
                + "allocations), not counted below%n", warm / 1e6);
        long n = 0;
        for (long d : done) {
            n += d;
        }
        System.out.printf(Locale.ROOT, "raw loop: %d inferences in %.2f s: %.3f inferences/s (%d threads, %s)%n", n,
                seconds, n / seconds, threads, network.name() + (System.getProperty("layout", "").isEmpty() ? ""
                        : ", " + System.getProperty("layout")));
    }
}
