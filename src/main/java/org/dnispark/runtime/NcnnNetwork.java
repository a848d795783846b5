package org.dnispark.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;
import org.dnispark.ncnn.NcnnFormatException;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.ncnn.NcnnLayer;

/**
 * Runs an ncnn graph with DJL (PyTorch engine), layer by layer as the {@code .param} file describes it, rather than
 * from a hand-written copy of one architecture. Weights can be swapped ({@link #setWeights}) without rebuilding the
 * graph, which is how one network instance serves every interpolation coefficient of a partition.
 */
public final class NcnnNetwork extends StateDictNetwork {
    /** Layer types this runtime executes. */
    public static final Set<String> SUPPORTED = Set.of("Input", "Convolution", "ConvolutionDepthWise", "Deconvolution",
            "ReLU", "Sigmoid", "Split", "Pooling", "InnerProduct", "BinaryOp", "Crop", "PReLU", "PixelShuffle",
            "Interp", "Concat", "Eltwise");

    private final NcnnGraph graph;
    private final String outputBlob;
    private final Map<String, PolyphaseDeconvolution> deconvPlans = new HashMap<>();
    /** The PReLU layers whose slopes are all at most 1, in the weights loaded last (see {@link #prelu}). */
    private Set<String> slopesAtMostOne = Set.of();

    public NcnnNetwork(NcnnGraph graph, NDManager parent) {
        super(parent);
        this.graph = graph;
        this.outputBlob = checkSupported(graph);
    }

    /**
     * Checks, without any engine, that this runtime can execute the graph; returns its single output blob. Jobs call
     * it on the driver so that an unsupported model fails before any work.
     */
    public static String checkSupported(NcnnGraph graph) {
        for (NcnnLayer l : graph.layers()) {
            if (!SUPPORTED.contains(l.type())) {
                throw new NcnnFormatException(graph.source() + ": " + l + " has layer type '" + l.type()
                        + "', which the runtime cannot execute; supported: " + SUPPORTED);
            }
            if (l.getInt(7, 1) != 1 && !l.type().equals("ConvolutionDepthWise")) {
                throw new NcnnFormatException(graph.source() + ": " + l + " uses groups; expected none");
            }
        }
        List<String> outs = graph.outputBlobs();
        if (outs.size() != 1) {
            throw new NcnnFormatException(graph.source() + ": expected one output blob, found " + outs);
        }
        return outs.get(0);
    }

    /** The arrays each layer reads: biases filled in, PReLU slopes shaped, deconvolutions rewritten. */
    @Override
    protected Map<String, NDArray> load(ModelWeights weights, NDManager next) {
        Map<String, NDArray> p = new HashMap<>();
        Set<String> atMostOne = new HashSet<>();
        for (NcnnLayer l : graph.layers()) {
            switch (l.type()) {
                case "Convolution":
                case "ConvolutionDepthWise":
                    p.put(l.name() + ".weight", array(next, weights.get(l.name() + ".weight")));
                    p.put(l.name() + ".bias", l.getInt(5, 0) != 0 ? array(next, weights.get(l.name() + ".bias"))
                            : next.zeros(new Shape(l.getInt(0, 0))));
                    break;
                case "Deconvolution":
                    putDeconvolution(l, weights, next, p);
                    break;
                case "PReLU": {
                    NamedTensor slope = weights.get(l.name() + ".slope");
                    p.put(l.name() + ".slope", array(next, slope).reshape(1, -1, 1, 1));
                    if (slopesAtMostOne(slope)) {
                        atMostOne.add(l.name());
                    }
                    break;
                }
                case "InnerProduct":
                    p.put(l.name() + ".weight", array(next, weights.get(l.name() + ".weight")));
                    if (l.getInt(1, 0) != 0) {
                        p.put(l.name() + ".bias", array(next, weights.get(l.name() + ".bias")));
                    }
                    break;
                default:
                    break;
            }
        }
        slopesAtMostOne = atMostOne;
        return p;
    }

    private void putDeconvolution(NcnnLayer l, ModelWeights weights, NDManager m, Map<String, NDArray> p) {
        NamedTensor w = weights.get(l.name() + ".weight");
        int[] s = w.shape();
        if (l.getInt(2, 1) != 1 || l.getInt(12, 1) != 1) {
            throw new NcnnFormatException(l + ": dilated deconvolution is not supported");
        }
        PolyphaseDeconvolution plan = new PolyphaseDeconvolution(s[0], s[1],
                PolyphaseDeconvolution.axis(s[2], l.getInt(13, l.getInt(3, 1)), l.getInt(14, l.getInt(4, 0))),
                PolyphaseDeconvolution.axis(s[3], l.getInt(3, 1), l.getInt(4, 0)));
        deconvPlans.put(l.name(), plan);
        float[] bias = l.getInt(5, 0) != 0 ? weights.get(l.name() + ".bias").floatValues() : new float[s[0]];
        p.put(l.name() + ".weight", Tensors.copyIn(m, plan.convKernel(w.floatValues()),
                new Shape(plan.convOutChannels(), s[1], plan.rows.window, plan.cols.window)));
        p.put(l.name() + ".bias", Tensors.copyIn(m, plan.convBias(bias)));
    }

    /**
     * Runs the graph on a planar CHW float input of {@code channels x height x width} and returns the output blob's
     * values; {@code outShape} receives {channels, height, width}. Intermediate arrays are freed before returning.
     */
    public float[] forward(float[] input, int channels, int height, int width, int[] outShape) {
        return forward(input, 1, channels, height, width, outShape);
    }

    /** A batch of {@code batch} equally sized NCHW inputs; the output is NCHW with {channels, height, width} per item. */
    @Override
    public float[] forward(float[] input, int batch, int channels, int height, int width, int[] outShape) {
        if (!hasWeights()) {
            throw new IllegalStateException("setWeights must be called before forward");
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> blobs = new HashMap<>();
            FiniteCheck.startForward();
            for (NcnnLayer l : graph.layers()) {
                List<NDArray> ins = new ArrayList<>();
                for (String b : l.inputs()) {
                    ins.add(blobs.get(b));
                }
                NDArray out;
                switch (l.type()) {
                    case "Input":
                        out = input(scope, input, new Shape(batch, channels, height, width));
                        break;
                    case "Convolution":
                    case "ConvolutionDepthWise":
                        out = activate(l, observed(l.name(), convolution(l, ins.get(0))));
                        break;
                    case "Deconvolution":
                        out = activate(l, observed(l.name(), deconvolution(l, ins.get(0))));
                        break;
                    case "ReLU": {
                        float slope = l.getFloat(0, 0f);
                        out = slope == 0f ? Activation.relu(ins.get(0)) : Activation.leakyRelu(ins.get(0), slope);
                        break;
                    }
                    case "Sigmoid":
                        out = Activation.sigmoid(ins.get(0));
                        break;
                    case "Split":
                        out = ins.get(0);
                        break;
                    case "Pooling":
                        out = pooling(l, ins.get(0));
                        break;
                    case "InnerProduct":
                        out = innerProduct(l, ins.get(0));
                        break;
                    case "BinaryOp":
                        out = binaryOp(l, ins);
                        break;
                    case "Crop":
                        out = crop(l, ins.get(0));
                        break;
                    case "PReLU":
                        out = prelu(ins.get(0), params.get(l.name() + ".slope"), slopesAtMostOne.contains(l.name()));
                        break;
                    case "PixelShuffle":
                        out = pixelShuffle(l, ins.get(0));
                        break;
                    case "Interp":
                        out = interp(l, ins.get(0), scope);
                        break;
                    case "Concat":
                        out = concat(l, ins);
                        break;
                    case "Eltwise":
                        out = eltwise(l, ins);
                        break;
                    default:
                        throw new IllegalStateException("unreachable: " + l.type());
                }
                FiniteCheck.check(out, l.name(), l.type());
                for (String o : l.outputs()) {
                    blobs.put(o, out);
                }
            }
            return result(blobs.get(outputBlob), outShape);
        }
    }

    private NDArray convolution(NcnnLayer l, NDArray x) {
        int kw = l.getInt(1, 0);
        int kh = l.getInt(11, kw);
        int dw = l.getInt(2, 1);
        int dh = l.getInt(12, dw);
        int sw = l.getInt(3, 1);
        int sh = l.getInt(13, sw);
        int pl = l.getInt(4, 0);
        int pr = l.getInt(15, pl);
        int pt = l.getInt(14, pl);
        int pb = l.getInt(16, pt);
        if (pl != pr || pt != pb || l.getFloat(18, 0f) != 0f) {
            throw new NcnnFormatException(l + ": asymmetric or non-zero-valued padding is not supported");
        }
        int groups = l.getInt(7, 1);
        return Conv2d.conv2d(x, params.get(l.name() + ".weight"), params.get(l.name() + ".bias"), new Shape(sh, sw),
                new Shape(pt, pl), new Shape(dh, dw), groups).singletonOrThrow();
    }

    private NDArray deconvolution(NcnnLayer l, NDArray x) {
        PolyphaseDeconvolution plan = deconvPlans.get(l.name());
        long inH = x.getShape().get(2);
        long inW = x.getShape().get(3);
        int kw = l.getInt(1, 0);
        int kh = l.getInt(11, kw);
        int sw = l.getInt(3, 1);
        int sh = l.getInt(13, sw);
        int pl = l.getInt(4, 0);
        int pr = l.getInt(15, pl);
        int pt = l.getInt(14, pl);
        int pb = l.getInt(16, pt);
        long outH = (inH - 1) * sh + kh + l.getInt(19, l.getInt(18, 0)) - pt - pb;
        long outW = (inW - 1) * sw + kw + l.getInt(18, 0) - pl - pr;
        int mh = plan.rows.phaseLength(outH);
        int mw = plan.cols.phaseLength(outW);
        int padH = plan.rows.convPad((int) inH, mh);
        int padW = plan.cols.convPad((int) inW, mw);
        NDArray conv = Conv2d.conv2d(x, params.get(l.name() + ".weight"), params.get(l.name() + ".bias"),
                new Shape(1, 1), new Shape(padH, padW), new Shape(1, 1), 1).singletonOrThrow();
        int y0 = plan.rows.sliceStart(padH);
        int x0 = plan.cols.sliceStart(padW);
        NDArray phases = conv.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y0 + mh, x0, x0 + mw));
        int cout = plan.outChannels;
        long n = x.getShape().get(0);
        NDArray shuffled = phases.reshape(n, cout, sh, sw, mh, mw).transpose(0, 1, 4, 2, 5, 3)
                .reshape(n, cout, (long) mh * sh, (long) mw * sw);
        if (outH == (long) mh * sh && outW == (long) mw * sw) {
            return shuffled;
        }
        return shuffled.get(new NDIndex(":, :, 0:{}, 0:{}", outH, outW));
    }

    /** Global average or max pooling (squeeze-excitation); the result is [N, C], as ncnn's 1-D blob per item. */
    private static NDArray pooling(NcnnLayer l, NDArray x) {
        if (l.getInt(4, 0) != 1) {
            throw new NcnnFormatException(l + ": only global pooling (4=1) is supported");
        }
        int type = l.getInt(0, 0);
        // DJL's PyTorch engine reduces over one axis at a time: flatten H x W first.
        NDArray flat = x.reshape(x.getShape().get(0), x.getShape().get(1), -1);
        if (type == 1) {
            return flat.mean(new int[] {2});
        }
        if (type == 0) {
            return flat.max(new int[] {2});
        }
        throw new NcnnFormatException(l + ": pooling type " + type + " is not supported; expected 0 (max) or 1 (avg)");
    }

    private NDArray innerProduct(NcnnLayer l, NDArray x) {
        NDArray flat = x.reshape(x.getShape().get(0), -1);
        NDArray y = flat.matMul(params.get(l.name() + ".weight").transpose());
        if (l.getInt(1, 0) != 0) {
            y = y.add(params.get(l.name() + ".bias"));
        }
        return activate(l, y);
    }

    /** Element-wise ops; a per-channel [N, C] operand broadcasts over [N, C, H, W] as in ncnn. */
    /** Concat along channels (ncnn axis 0 of a CHW blob; NCHW axis 1 here): the only axis image networks use. */
    private static NDArray concat(NcnnLayer l, List<NDArray> ins) {
        if (l.getInt(0, 0) != 0) {
            throw new NcnnFormatException(l + ": Concat along axis " + l.getInt(0, 0) + " is not supported; expected "
                    + "0 (channels)");
        }
        NDList list = new NDList(ins.toArray(NDArray[]::new));
        return NDArrays.concat(list, 1);
    }

    /**
     * Eltwise: 0 product, 1 sum (each input times its coefficient from 1=, all 1 without), 2 maximum. ESRGAN's
     * residual scaling (0.2 x block + 1 x input) is a weighted sum.
     */
    private static NDArray eltwise(NcnnLayer l, List<NDArray> ins) {
        int op = l.getInt(0, 1);
        float[] coeffs = l.getArray(1);
        if (coeffs.length != 0 && coeffs.length != ins.size()) {
            throw new NcnnFormatException(l + ": " + coeffs.length + " coefficients for " + ins.size() + " inputs");
        }
        for (NDArray x : ins) {
            if (!x.getShape().equals(ins.get(0).getShape())) {
                throw new NcnnFormatException(l + ": operands " + ins.get(0).getShape() + " and " + x.getShape()
                        + " do not match");
            }
        }
        NDArray out = null;
        for (int i = 0; i < ins.size(); i++) {
            NDArray x = ins.get(i);
            if (op == 1) {
                NDArray term = coeffs.length == 0 || coeffs[i] == 1f ? x : Ops.mul(x, coeffs[i]);
                out = out == null ? term : out.add(term);
            } else if (op == 0) {
                out = out == null ? x : out.mul(x);
            } else if (op == 2) {
                out = out == null ? x : out.maximum(x);
            } else {
                throw new NcnnFormatException(l + ": Eltwise operation " + op + " is not supported; expected 0 "
                        + "(product), 1 (sum) or 2 (max)");
            }
        }
        return out;
    }

    private static NDArray binaryOp(NcnnLayer l, List<NDArray> ins) {
        int op = l.getInt(0, 0);
        NDArray a = ins.get(0);
        NDArray b;
        if (l.getInt(1, 0) != 0) {
            b = Tensors.scalar(a, l.getFloat(2, 0f));
        } else {
            b = ins.get(1);
            if (a.getShape().dimension() == 4 && b.getShape().dimension() == 2) {
                b = b.reshape(b.getShape().get(0), b.getShape().get(1), 1, 1);
            } else if (a.getShape().dimension() == 2 && b.getShape().dimension() == 4) {
                a = a.reshape(a.getShape().get(0), a.getShape().get(1), 1, 1);
            } else if (!a.getShape().equals(b.getShape())) {
                throw new NcnnFormatException(l + ": operands " + a.getShape() + " and " + b.getShape()
                        + " do not match");
            }
        }
        switch (op) {
            case 0:
                return a.add(b);
            case 1:
                return a.sub(b);
            case 2:
                return a.mul(b);
            case 3:
                return a.div(b);
            case 4:
                return a.maximum(b);
            case 5:
                return a.minimum(b);
            case 7:
                return b.sub(a);
            case 8:
                return b.div(a);
            default:
                throw new NcnnFormatException(l + ": binary op type " + op + " is not supported");
        }
    }

    /** ncnn Crop with starts/ends/axes arrays (ids 9, 10, 11); negative ends count from the end, axes over C, H, W. */
    private static NDArray crop(NcnnLayer l, NDArray x) {
        float[] starts = l.getArray(9);
        float[] ends = l.getArray(10);
        float[] axes = l.getArray(11);
        if (starts.length == 0 || starts.length != ends.length || starts.length != axes.length) {
            throw new NcnnFormatException(l + ": only the starts/ends/axes form of Crop is supported");
        }
        long[] begin = new long[4];
        long[] end = x.getShape().getShape().clone();
        for (int i = 0; i < axes.length; i++) {
            int axis = (int) axes[i];
            int dim = axis < 0 ? 4 + axis : axis + 1; // ncnn axes count C, H, W; the batch axis comes first here
            long size = x.getShape().get(dim);
            long s = (long) starts[i];
            long e = (long) ends[i];
            begin[dim] = s < 0 ? size + s : s;
            end[dim] = e <= 0 ? size + e : Math.min(e, size);
        }
        return x.get(new NDIndex(":, {}:{}, {}:{}, {}:{}", begin[1], end[1], begin[2], end[2], begin[3], end[3]));
    }

    /** PyTorch's pixel_shuffle order (ncnn mode 0, ONNX DepthToSpace CRD). */
    private static NDArray pixelShuffle(NcnnLayer l, NDArray x) {
        int r = l.getInt(0, 1);
        if (l.getInt(1, 0) != 0) {
            throw new NcnnFormatException(l + ": PixelShuffle mode " + l.getInt(1, 0) + " is not supported; expected 0");
        }
        return StateDictNetwork.pixelShuffle(x, r);
    }

    /** Nearest (integer scales) or bicubic (a = -0.75, half-pixel centres, clamped borders) resizing. */
    private NDArray interp(NcnnLayer l, NDArray x, NDManager scope) {
        int type = l.getInt(0, 0);
        float hs = l.getFloat(1, 1f);
        float ws = l.getFloat(2, 1f);
        if (l.getInt(3, 0) != 0 || l.getInt(4, 0) != 0 || l.getInt(6, 0) != 0) {
            throw new NcnnFormatException(l + ": only scale-factor Interp without align_corner is supported");
        }
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int oh = Math.round(h * hs);
        int ow = Math.round(w * ws);
        if (type == 1 && hs == Math.rint(hs) && ws == Math.rint(ws) && hs >= 1 && ws >= 1) {
            return upsampleNearest(x, (long) hs, (long) ws);
        }
        if (type != 3) {
            throw new NcnnFormatException(l + ": Interp type " + type + " with scales " + hs + "x" + ws
                    + " is not supported; expected nearest with integer scales or bicubic");
        }
        float[] in = x.toFloatArray();
        int planes = (int) (s.get(0) * s.get(1));
        float[] out = new float[planes * oh * ow];
        int[][] yi = new int[oh][4];
        float[][] yw = new float[oh][4];
        int[][] xi = new int[ow][4];
        float[][] xw = new float[ow][4];
        cubicAxis(h, oh, yi, yw);
        cubicAxis(w, ow, xi, xw);
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float acc = 0;
                    for (int a = 0; a < 4; a++) {
                        float row = 0;
                        for (int b = 0; b < 4; b++) {
                            row += xw[ox][b] * in[base + yi[oy][a] * w + xi[ox][b]];
                        }
                        acc += yw[oy][a] * row;
                    }
                    out[(p * oh + oy) * ow + ox] = acc;
                }
            }
        }
        return Tensors.copyIn(scope, out, new Shape(s.get(0), s.get(1), oh, ow));
    }

    private static void cubicAxis(int in, int out, int[][] idx, float[][] wts) {
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = scale * (o + 0.5f) - 0.5f;
            int f = (int) Math.floor(src);
            float t = src - f;
            float a = -0.75f;
            float[] c = {
                ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                ((a + 2) * t - (a + 3)) * t * t + 1,
                ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                0,
            };
            c[3] = 1 - c[0] - c[1] - c[2];
            for (int k = 0; k < 4; k++) {
                idx[o][k] = Math.min(Math.max(f - 1 + k, 0), in - 1);
                wts[o][k] = c[k];
            }
        }
    }

    private static NDArray activate(NcnnLayer l, NDArray x) {
        int type = l.getInt(9, 0);
        float[] p = l.getArray(10);
        switch (type) {
            case 0:
                return x;
            case 1:
                return Activation.relu(x);
            case 2:
                return Activation.leakyRelu(x, p.length > 0 ? p[0] : 0f);
            case 3:
                return Ops.clip(x, p[0], p[1]);
            case 4:
                return Activation.sigmoid(x);
            default:
                throw new NcnnFormatException(l + ": fused activation type " + type + " is not supported; expected 0-4");
        }
    }

}
