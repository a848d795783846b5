package org.dnispark.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnGraph;

/**
 * Whole-image inference through an {@link NcnnNetwork}, in tiles. Each tile carries the model's pre-padding (edge
 * replicated at the image border) plus enough context from its neighbours that the stitched result equals one
 * whole-image pass. Tiles of equal size are run in batches of up to {@code batchSize} (worth it on a GPU). One
 * instance per Spark partition, on one device; close it when the partition is done.
 */
public final class TiledPredictor implements AutoCloseable {
    private final NDManager manager;
    private final ImageNetwork network;
    private final NetworkGeometry geometry;
    private final int tileSize;
    private final int batchSize;
    private final boolean reflect;

    public TiledPredictor(NcnnGraph graph, int tileSize) {
        this(graph, tileSize, 1, null, false);
    }

    public TiledPredictor(NcnnGraph graph, int tileSize, int batchSize, Device device) {
        this(graph, tileSize, batchSize, device, false);
    }

    /**
     * {@code device} null means the engine's default device (the CPU); {@code reflect} pads image borders by
     * reflection instead of edge replication (Real-CUGAN's convention; waifu2x replicates).
     */
    public TiledPredictor(NcnnGraph graph, int tileSize, int batchSize, Device device, boolean reflect) {
        this(NetworkSpec.ncnn(graph), tileSize, batchSize, device, reflect);
    }

    /** Any network: an ncnn graph or a built-in architecture. */
    public TiledPredictor(NetworkSpec spec, int tileSize, int batchSize, Device device, boolean reflect) {
        if (tileSize <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("tile size " + tileSize + " and batch size " + batchSize
                    + " must be positive");
        }
        this.geometry = spec.geometry();
        this.reflect = reflect;
        // Tiles start at multiples of the alignment so that strided layers see the same grid as a whole image.
        int a = geometry.alignment();
        this.tileSize = (tileSize + a - 1) / a * a;
        this.batchSize = batchSize;
        this.manager = device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device);
        try {
            this.network = spec.create(manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A predictor on the device a Spark task runs on: {@code kind} cpu or gpu, {@code gpus} the addresses Spark's
     * resource scheduler assigned it ({@link Devices#forTask}).
     */
    public static TiledPredictor onDevice(NetworkSpec spec, int tileSize, int batchSize, String kind, String[] gpus,
            boolean reflect) {
        return new TiledPredictor(spec, tileSize, batchSize, Devices.forTask(kind, gpus), reflect);
    }

    public NetworkGeometry geometry() {
        return geometry;
    }

    public Device device() {
        return manager.getDevice();
    }

    public void setWeights(ModelWeights weights) {
        network.setWeights(weights);
    }

    /** Overrides the network's activation layout ({@link ImageNetwork#channelsLast}), for benchmarks. */
    public void channelsLast(boolean on) {
        network.channelsLast(on);
    }

    /** Records convolution outputs into {@code stats} on the following runs (null stops); see {@link ImageNetwork#probe}. */
    public void probe(ActivationStatistics stats) {
        network.probe(stats);
    }

    /** One tile of one image: where its input region starts, its size with context and padding, and what is kept. */
    private static final class Tile {
        int image;
        int tx;
        int ty;
        int tw;
        int th;
        int cLeft;
        int cTop;
        int rw;
        int rh;
    }

    public RgbImage run(RgbImage image) {
        return runAll(List.of(image)).get(0);
    }

    /**
     * Runs several images; equally sized tiles, from one image or several, share a forward pass up to the batch
     * size (on a GPU, the images of a block go through together). With a batch size of 1 this is one pass per tile,
     * image by image.
     */
    public List<RgbImage> runAll(List<RgbImage> images) {
        int a = geometry.alignment();
        List<RgbImage> aligned = new ArrayList<>();
        for (RgbImage image : images) {
            // Pad right and bottom up to the alignment (as Real-CUGAN's reference does); the output is cropped back.
            int w = (image.width() + a - 1) / a * a;
            int h = (image.height() + a - 1) / a * a;
            aligned.add(w == image.width() && h == image.height() ? image : image.crop(0, 0, w, h, reflect));
        }
        List<RgbImage> out = runAligned(aligned);
        int s = geometry.scale();
        List<RgbImage> result = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            RgbImage in = images.get(i);
            RgbImage o = out.get(i);
            result.add(o.width() == in.width() * s && o.height() == in.height() * s ? o
                    : o.crop(0, 0, in.width() * s, in.height() * s, false));
        }
        return result;
    }

    private List<RgbImage> runAligned(List<RgbImage> images) {
        int s = geometry.scale();
        int pad = geometry.prePad();
        int ctx = geometry.tileContext();
        List<float[]> outputs = new ArrayList<>();
        // Group tiles by input size so that equal tiles share a batch.
        Map<Long, List<Tile>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            RgbImage in = images.get(i);
            int w = in.width();
            int h = in.height();
            outputs.add(new float[3 * w * s * h * s]);
            // Networks with global statistics (squeeze-excitation) cannot be tiled exactly: one tile, the whole image.
            int tileSize = geometry.globalStatistics() ? Math.max(w, h) : this.tileSize;
            for (int ty = 0; ty < h; ty += tileSize) {
                for (int tx = 0; tx < w; tx += tileSize) {
                    Tile t = new Tile();
                    t.image = i;
                    t.tx = tx;
                    t.ty = ty;
                    t.tw = Math.min(tileSize, w - tx);
                    t.th = Math.min(tileSize, h - ty);
                    t.cLeft = Math.min(ctx, tx);
                    t.cTop = Math.min(ctx, ty);
                    int cRight = Math.min(ctx, w - tx - t.tw);
                    int cBottom = Math.min(ctx, h - ty - t.th);
                    t.rw = t.tw + t.cLeft + cRight + 2 * pad;
                    t.rh = t.th + t.cTop + cBottom + 2 * pad;
                    bySize.computeIfAbsent(((long) t.rw << 32) | t.rh, k -> new ArrayList<>()).add(t);
                }
            }
        }
        int[] shape = new int[3];
        for (List<Tile> group : bySize.values()) {
            for (int b = 0; b < group.size(); b += batchSize) {
                List<Tile> batch = group.subList(b, Math.min(group.size(), b + batchSize));
                Tile first = batch.get(0);
                int plane = 3 * first.rw * first.rh;
                float[] x = new float[batch.size() * plane];
                for (int i = 0; i < batch.size(); i++) {
                    Tile t = batch.get(i);
                    RgbImage region = images.get(t.image).crop(t.tx - t.cLeft - pad, t.ty - t.cTop - pad, t.rw, t.rh,
                            reflect);
                    System.arraycopy(region.data(), 0, x, i * plane, plane);
                }
                float[] y = network.forward(x, batch.size(), 3, first.rh, first.rw, shape);
                int yh = shape[1];
                int yw = shape[2];
                int expectW = s * (first.rw - 2 * pad);
                int expectH = s * (first.rh - 2 * pad);
                if (shape[0] != 3 || yw != expectW || yh != expectH) {
                    throw new IllegalStateException("network returned " + shape[0] + "x" + yh + "x" + yw + " for a "
                            + first.rh + "x" + first.rw + " tile; expected 3x" + expectH + "x" + expectW);
                }
                for (int i = 0; i < batch.size(); i++) {
                    Tile t = batch.get(i);
                    int ow = images.get(t.image).width() * s;
                    int oh = images.get(t.image).height() * s;
                    float[] out = outputs.get(t.image);
                    int base = i * 3 * yh * yw;
                    for (int c = 0; c < 3; c++) {
                        for (int r = 0; r < t.th * s; r++) {
                            System.arraycopy(y, base + (c * yh + r + s * t.cTop) * yw + s * t.cLeft, out,
                                    (c * oh + t.ty * s + r) * ow + t.tx * s, t.tw * s);
                        }
                    }
                }
            }
        }
        List<RgbImage> result = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            result.add(new RgbImage(images.get(i).width() * s, images.get(i).height() * s, outputs.get(i)));
        }
        return result;
    }

    @Override
    public void close() {
        try {
            network.close();
        } finally {
            manager.close();
        }
    }
}
