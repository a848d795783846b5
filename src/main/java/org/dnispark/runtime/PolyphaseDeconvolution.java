package org.dnispark.runtime;

import org.dnispark.ncnn.NcnnFormatException;

/**
 * Exact rewrite of a stride-s transposed convolution as one ordinary convolution with {@code s*s*C_out} output
 * channels followed by a pixel-shuffle interleave. DJL's PyTorch engine does not implement deconvolution, and the
 * rewrite also skips the multiplications by inserted zeros.
 *
 * <p>ncnn's deconvolution scatters input pixel i with kernel tap y to position {@code i*s + y - padBefore}. For output
 * {@code o = s*m + q}, with {@code t = q + padBefore}, the taps {@code y = t mod s + s*j} read input
 * {@code m + floor(t/s) - j}; every phase q is therefore a correlation over a common window of K input pixels.
 */
public final class PolyphaseDeconvolution {
    /** Plan for one spatial axis. */
    public static final class Axis {
        final int stride;
        final int kernel;
        final int padBefore;
        /** Offset of the common window's first input pixel relative to m. */
        final int lo;
        /** Common window length (the rewritten kernel size). */
        final int window;

        Axis(int kernel, int stride, int padBefore) {
            this.kernel = kernel;
            this.stride = stride;
            this.padBefore = padBefore;
            int minOff = Integer.MAX_VALUE;
            int maxOff = Integer.MIN_VALUE;
            for (int q = 0; q < stride; q++) {
                int t = q + padBefore;
                int c = Math.floorDiv(t, stride);
                int first = Math.floorMod(t, stride);
                int taps = first >= kernel ? 0 : (kernel - first + stride - 1) / stride;
                if (taps == 0) {
                    continue;
                }
                minOff = Math.min(minOff, c - (taps - 1));
                maxOff = Math.max(maxOff, c);
            }
            this.lo = minOff;
            this.window = maxOff - minOff + 1;
        }

        /** Kernel tap of the original deconvolution used by phase q at window position u, or -1 for none. */
        int tap(int q, int u) {
            int t = q + padBefore;
            int j = Math.floorDiv(t, stride) - (lo + u);
            int y = Math.floorMod(t, stride) + stride * j;
            return (j >= 0 && y < kernel) ? y : -1;
        }

        /** Outputs per phase needed to cover {@code outLength} outputs. */
        int phaseLength(long outLength) {
            return (int) ((outLength + stride - 1) / stride);
        }

        /** Symmetric zero padding of the ordinary convolution for an input of n pixels. */
        int convPad(int n, int phaseLength) {
            return Math.max(0, Math.max(-lo, lo + phaseLength + window - 1 - n));
        }

        /** First convolution output that belongs to phase output m = 0. */
        int sliceStart(int convPad) {
            return lo + convPad;
        }
    }

    final Axis rows;
    final Axis cols;
    final int outChannels;
    final int inChannels;

    /** One deconvolution, {@code rows} and {@code cols} planned by {@link #axis}. */
    public PolyphaseDeconvolution(int outChannels, int inChannels, Axis rows, Axis cols) {
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.rows = rows;
        this.cols = cols;
    }

    /** The plan of one axis: kernel size, stride and the deconvolution's leading crop. */
    public static Axis axis(int kernel, int stride, int padBefore) {
        if (kernel <= 0 || stride <= 0) {
            throw new NcnnFormatException("deconvolution needs a positive kernel and stride, got kernel " + kernel
                    + " stride " + stride);
        }
        return new Axis(kernel, stride, padBefore);
    }

    /** Output channels of the rewritten convolution: C_out * sh * sw, ordered (c_out, phase row, phase col). */
    public int convOutChannels() {
        return outChannels * rows.stride * cols.stride;
    }

    /** The rewritten correlation kernel [C_out*sh*sw][C_in][Kh][Kw] from ncnn weights [C_out][C_in][kh][kw]. */
    public float[] convKernel(float[] weights) {
        int kh = rows.kernel;
        int kw = cols.kernel;
        int wh = rows.window;
        int ww = cols.window;
        float[] g = new float[convOutChannels() * inChannels * wh * ww];
        for (int co = 0; co < outChannels; co++) {
            for (int qy = 0; qy < rows.stride; qy++) {
                for (int qx = 0; qx < cols.stride; qx++) {
                    int oc = (co * rows.stride + qy) * cols.stride + qx;
                    for (int ci = 0; ci < inChannels; ci++) {
                        for (int uy = 0; uy < wh; uy++) {
                            int ky = rows.tap(qy, uy);
                            if (ky < 0) {
                                continue;
                            }
                            for (int ux = 0; ux < ww; ux++) {
                                int kx = cols.tap(qx, ux);
                                if (kx < 0) {
                                    continue;
                                }
                                g[((oc * inChannels + ci) * wh + uy) * ww + ux] =
                                        weights[((co * inChannels + ci) * kh + ky) * kw + kx];
                            }
                        }
                    }
                }
            }
        }
        return g;
    }

    /** Bias repeated for every phase. */
    public float[] convBias(float[] bias) {
        int phases = rows.stride * cols.stride;
        float[] b = new float[convOutChannels()];
        for (int co = 0; co < outChannels; co++) {
            for (int p = 0; p < phases; p++) {
                b[co * phases + p] = bias[co];
            }
        }
        return b;
    }
}
