package org.dnispark.runtime;

import ai.djl.ndarray.NDManager;

import org.dnispark.core.ModelWeights;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnGeometry;
import org.dnispark.ncnn.NcnnGraph;

/**
 * Whole-image inference through an {@link NcnnNetwork}, in tiles. Each tile carries the model's pre-padding (edge
 * replicated at the image border) plus enough context from its neighbours that the stitched result equals one
 * whole-image pass. One instance per Spark partition; close it when the partition is done.
 */
public final class TiledPredictor implements AutoCloseable {
    private final NDManager manager;
    private final NcnnNetwork network;
    private final NcnnGeometry geometry;
    private final int tileSize;

    public TiledPredictor(NcnnGraph graph, int tileSize) {
        if (tileSize <= 0) {
            throw new IllegalArgumentException("tile size " + tileSize + " is not positive");
        }
        this.geometry = NcnnGeometry.of(graph);
        this.tileSize = tileSize;
        this.manager = NDManager.newBaseManager();
        try {
            this.network = new NcnnNetwork(graph, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public NcnnGeometry geometry() {
        return geometry;
    }

    public void setWeights(ModelWeights weights) {
        network.setWeights(weights);
    }

    public RgbImage run(RgbImage in) {
        int s = geometry.scale();
        int pad = geometry.prePad();
        int ctx = geometry.tileContext();
        int w = in.width();
        int h = in.height();
        int ow = w * s;
        int oh = h * s;
        float[] out = new float[3 * ow * oh];
        int[] shape = new int[3];
        for (int ty = 0; ty < h; ty += tileSize) {
            int th = Math.min(tileSize, h - ty);
            int cTop = Math.min(ctx, ty);
            int cBottom = Math.min(ctx, h - ty - th);
            for (int tx = 0; tx < w; tx += tileSize) {
                int tw = Math.min(tileSize, w - tx);
                int cLeft = Math.min(ctx, tx);
                int cRight = Math.min(ctx, w - tx - tw);
                int rw = tw + cLeft + cRight + 2 * pad;
                int rh = th + cTop + cBottom + 2 * pad;
                RgbImage tile = in.cropReplicate(tx - cLeft - pad, ty - cTop - pad, rw, rh);
                float[] y = network.forward(tile.data(), 3, rh, rw, shape);
                int yw = shape[2];
                int yh = shape[1];
                if (shape[0] != 3 || yw != s * (tw + cLeft + cRight) || yh != s * (th + cTop + cBottom)) {
                    throw new IllegalStateException("network returned " + shape[0] + "x" + yh + "x" + yw
                            + " for a " + rh + "x" + rw + " tile; expected 3x" + s * (th + cTop + cBottom) + "x"
                            + s * (tw + cLeft + cRight));
                }
                for (int c = 0; c < 3; c++) {
                    for (int r = 0; r < th * s; r++) {
                        System.arraycopy(y, (c * yh + r + s * cTop) * yw + s * cLeft, out,
                                (c * oh + ty * s + r) * ow + tx * s, tw * s);
                    }
                }
            }
        }
        return new RgbImage(ow, oh, out);
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
