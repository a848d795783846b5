package org.dnispark.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, CVPR 2016) for stride-1, "same"-padded 3x3
 * convolutions of one image: the input is cut into 6x6 tiles overlapping by 2 (4x4 outputs each, plus the kernel's
 * border), each tile transformed once ({@code B^T d B}, {@link #tiles}) and each kernel once per weight set
 * ({@code G g G^T}, {@link #kernels}); the convolution is then 36 matrix products {@code [out x in] x [in x tiles]}
 * ({@link #convolve}), 2.25 multiplications per output value and input channel where a direct convolution needs 9,
 * and one inverse transform ({@code A^T m A}) per output.
 *
 * <p>Why: a dense block reads every earlier feature map of the block again (RRDBNet: 5 convolutions over 64 to 192
 * channels), so the tiles of a map are transformed once and reused by every later convolution of its block, and the
 * products run at matrix-product speed. Values are those of the direct convolution up to rounding: the transforms
 * scale by up to 8 and 1/24, so errors are about 10 times a direct convolution's ({@code WinogradTest}; the networks
 * that use it are checked against PyTorch at their usual tolerance). Points 0, 1, -1, 2, -2 and infinity, the usual
 * choice for F(4x4, 3x3). Inference only: training keeps the direct convolution.
 */
public final class Winograd {
    /** Output tile side. */
    static final int M = 4;
    /** Input tile side: {@link #M} plus the kernel's border. */
    static final int A = M + 2;
    private static final double[][] BT = {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1}};
    private static final double[][] G = {
        {1 / 4.0, 0, 0},
        {-1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0},
        {1 / 24.0, -1 / 12.0, 1 / 6.0},
        {0, 0, 1}};
    private static final double[][] AT = {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0},
        {0, 1, 1, 4, 4, 0},
        {0, 1, -1, 8, -8, 1}};

    /** The input transform as 36 one-channel 6x6 kernels, stride 4: output {@code p*6+q} is {@code (B^T d B)[p][q]}. */
    private final NDArray inputKernels;
    /** The inverse transform, [16, 36]: output {@code u*4+v} of a tile from its 36 products. */
    private final NDArray inverse;

    /** The transforms' constant arrays, created in {@code manager} and freed with it. */
    public Winograd(NDManager manager) {
        float[] k = new float[A * A * A * A];
        for (int p = 0; p < A; p++) {
            for (int q = 0; q < A; q++) {
                for (int r = 0; r < A; r++) {
                    for (int c = 0; c < A; c++) {
                        k[((p * A + q) * A + r) * A + c] = (float) (BT[p][r] * BT[q][c]);
                    }
                }
            }
        }
        inputKernels = Tensors.copyIn(manager, k, new Shape(A * A, 1, A, A));
        float[] inv = new float[M * M * A * A];
        for (int u = 0; u < M; u++) {
            for (int v = 0; v < M; v++) {
                for (int p = 0; p < A; p++) {
                    for (int q = 0; q < A; q++) {
                        inv[(u * M + v) * A * A + p * A + q] = (float) (AT[u][p] * AT[v][q]);
                    }
                }
            }
        }
        inverse = Tensors.copyIn(manager, inv, new Shape(M * M, A * A));
    }

    /**
     * A 3x3 kernel [out, in, 3, 3] transformed for {@link #convolve}: [36, out, in], {@code G g G^T} for every pair of
     * channels (one product of the 36 x 9 matrix {@code G (x) G}, its entries rounded once from double precision),
     * in the manager of {@code weight}.
     */
    public static NDArray kernels(NDArray weight) {
        Shape s = weight.getShape();
        if (s.dimension() != 4 || s.get(2) != 3 || s.get(3) != 3) {
            throw new IllegalArgumentException("Winograd F(4x4, 3x3) needs a [out, in, 3, 3] kernel, not " + s);
        }
        float[] gg = new float[A * A * 9];
        for (int p = 0; p < A; p++) {
            for (int q = 0; q < A; q++) {
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        gg[(p * A + q) * 9 + r * 3 + c] = (float) (G[p][r] * G[q][c]);
                    }
                }
            }
        }
        try (NDArray transform = Tensors.copyIn(weight.getManager(), gg, new Shape(A * A, 9));
                NDArray rows = weight.reshape(s.get(0) * s.get(1), 9);
                NDArray columns = rows.transpose();
                NDArray product = transform.matMul(columns)) {
            return product.reshape(A * A, s.get(0), s.get(1));
        }
    }

    /**
     * The transformed tiles of one image [1, C, H, W] (any memory order): [C, 36, T] for T = ceil(H/4) * ceil(W/4)
     * tiles, row by row; the border outside the image is zero, as "same" padding is. Maps transformed apart may be
     * concatenated along the first axis, the input channels of a convolution.
     */
    public NDArray tiles(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(0) != 1) {
            throw new IllegalArgumentException("Winograd tiles need one image [1, C, H, W], not " + s);
        }
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        long th = (h + M - 1) / M;
        long tw = (w + M - 1) / M;
        NDArray planes = x.reshape(c, 1, h, w);
        boolean extended = th * M != h || tw * M != w;
        // up to whole tiles with zeros on the right and at the bottom; the convolution's padding adds the left and top
        // border and the last tile's right and bottom one
        NDArray whole = extended ? planes.pad(new Shape(0, tw * M - w, 0, th * M - h), 0) : planes;
        NDArray t = Conv2d.conv2d(whole, inputKernels, null, new Shape(M, M), new Shape(1, 1), new Shape(1, 1), 1)
                .singletonOrThrow();
        if (extended) {
            whole.close();
        }
        if (planes != x) {
            planes.close();
        }
        return t.reshape(c, A * A, th * tw);
    }

    /**
     * The convolution of the image whose {@link #tiles} are {@code tiles} ([C, 36, T], C the kernel's input channels)
     * with {@code kernels} ([36, out, C], from {@link #kernels}) plus {@code bias} ([out], or null): [1, out, h, w],
     * NCHW, where h x w is the image's size.
     */
    public NDArray convolve(NDArray tiles, NDArray kernels, NDArray bias, long h, long w) {
        long c = tiles.getShape().get(0);
        long out = kernels.getShape().get(1);
        if (kernels.getShape().get(2) != c) {
            throw new IllegalArgumentException("Winograd kernels of " + kernels.getShape().get(2)
                    + " input channels on tiles of " + c);
        }
        long th = (h + M - 1) / M;
        long tw = (w + M - 1) / M;
        try (NDArray byPoint = tiles.transpose(1, 0, 2);
                NDArray products = kernels.batchMatMul(byPoint);
                NDArray flat = products.reshape(A * A, out * th * tw);
                NDArray outputs = inverse.matMul(flat);
                NDArray byTile = outputs.reshape(M, M, out, th, tw).transpose(2, 3, 0, 4, 1)) {
            NDArray y = byTile.reshape(1, out, th * M, tw * M);
            if (th * M != h || tw * M != w) {
                NDArray whole = y;
                y = whole.get(new NDIndex(":, :, :{}, :{}", h, w)).duplicate();
                whole.close();
            }
            if (bias != null) {
                try (NDArray b = bias.reshape(1, out, 1, 1)) {
                    y.addi(b);
                }
            }
            // the products were made in the kernels' and the transform's managers: the result belongs to the call
            return Ops.scopedLike(y, tiles);
        }
    }
}
