package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import ai.djl.ndarray.NDManager;
import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.ncnn.NcnnGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The polyphase rewrite against a naive scatter implementation of ncnn's deconvolution, for many geometries. */
class PolyphaseDeconvolutionTest {
    @BeforeAll
    static void engine() {
        Engines.configure(1);
    }

    /** out[(i*s + y) - pad] += in[i] * w[y], cropped by pad on both sides, plus bias. */
    static float[] naive(float[] in, int cin, int h, int w, float[] wt, float[] bias, int cout, int k, int s, int pad,
            int[] outSize) {
        int fh = (h - 1) * s + k;
        int fw = (w - 1) * s + k;
        int oh = fh - 2 * pad;
        int ow = fw - 2 * pad;
        double[] full = new double[cout * fh * fw];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double v = in[(ci * h + y) * w + x];
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                full[(co * fh + y * s + ky) * fw + x * s + kx] +=
                                        v * wt[((co * cin + ci) * k + ky) * k + kx];
                            }
                        }
                    }
                }
            }
        }
        float[] out = new float[cout * oh * ow];
        for (int co = 0; co < cout; co++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    out[(co * oh + y) * ow + x] = (float) (full[(co * fh + y + pad) * fw + x + pad] + bias[co]);
                }
            }
        }
        outSize[0] = oh;
        outSize[1] = ow;
        return out;
    }

    @Test
    void matchesNaiveScatterForManyGeometries() {
        int[][] cases = {{4, 2, 3}, {4, 2, 1}, {3, 2, 1}, {5, 3, 0}, {2, 2, 0}, {3, 1, 1}, {1, 2, 0}, {6, 3, 2}};
        Random r = new Random(7);
        int cin = 3;
        int cout = 2;
        int h = 9;
        int w = 7;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] c : cases) {
                int k = c[0];
                int s = c[1];
                int pad = c[2];
                String param = "7767517\n2 2\nInput in 0 1 a\nDeconvolution dc 1 1 a b 0=" + cout + " 1=" + k
                        + " 3=" + s + " 4=" + pad + " 5=1 6=" + (cout * cin * k * k) + "\n";
                float[] wt = new float[cout * cin * k * k];
                float[] bias = {0.25f, -0.5f};
                float[] in = new float[cin * h * w];
                for (int i = 0; i < wt.length; i++) {
                    wt[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < in.length; i++) {
                    in[i] = r.nextFloat();
                }
                ModelWeights weights = new ModelWeights("t", List.of(
                        NamedTensor.ofFloats("dc.weight", new int[] {cout, cin, k, k}, DType.FLOAT32, wt),
                        NamedTensor.ofFloats("dc.bias", new int[] {cout}, DType.FLOAT32, bias)));
                try (NcnnNetwork net = new NcnnNetwork(NcnnGraph.parse(param, "case"), m)) {
                    net.setWeights(weights);
                    int[] shape = new int[3];
                    float[] got = net.forward(in, cin, h, w, shape);
                    int[] size = new int[2];
                    float[] want = naive(in, cin, h, w, wt, bias, cout, k, s, pad, size);
                    String label = "k=" + k + " s=" + s + " pad=" + pad;
                    assertEquals(size[0], shape[1], label + " height");
                    assertEquals(size[1], shape[2], label + " width");
                    for (int i = 0; i < want.length; i++) {
                        assertTrue(Math.abs(want[i] - got[i]) < 1e-4, label + " element " + i + ": " + got[i]
                                + " vs " + want[i]);
                    }
                }
            }
        }
    }
}
