package org.dnispark.runtime;

import java.util.HashMap;
import java.util.Map;

import org.dnispark.ncnn.NcnnFormatException;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.ncnn.NcnnLayer;

/**
 * The {@link NetworkGeometry} of an ncnn graph, found by following every blob's size through the graph: the output
 * size for an input size, the integer scale, the pre-padding the model expects (waifu2x upconv_7 uses unpadded
 * convolutions and needs 7 pixels per side so that a 2x model returns exactly twice the input), the context a tile
 * needs, the size alignment of strided layers and whether the network pools over the whole image.
 */
public final class NcnnGraphGeometry {
    private NcnnGraphGeometry() {
    }

    public static NetworkGeometry of(NcnnGraph graph) {
        long a1 = outputLength(graph, 64, true);
        long a2 = outputLength(graph, 128, true);
        long b1 = outputLength(graph, 64, false);
        long b2 = outputLength(graph, 128, false);
        if (a2 - a1 != b2 - b1 || a1 != b1) {
            throw new NcnnFormatException(graph.source() + ": the network treats width and height differently; "
                    + "expected the same geometry on both axes");
        }
        if ((a2 - a1) % 64 != 0 || a2 - a1 <= 0) {
            throw new NcnnFormatException(graph.source() + ": output size grows by " + (a2 - a1) + " for 64 more "
                    + "input pixels; expected an integer scale");
        }
        int scale = (int) ((a2 - a1) / 64);
        long offset = a1 - 64L * scale; // out = scale * n + offset
        if (offset > 0 || (-offset) % (2L * scale) != 0) {
            throw new NcnnFormatException(graph.source() + ": output size is " + scale + "*n" + (offset >= 0 ? "+" : "")
                    + offset + "; expected " + scale + "*n minus an even multiple of the scale");
        }
        int prePad = (int) (-offset / (2L * scale));
        int context = hasInternalPadding(graph) ? receptiveRadius(graph) : 0;
        int alignment = 0;
        for (int a = 1; a <= 64 && alignment == 0; a *= 2) {
            boolean ok = true;
            for (int k : new int[] {3, 5, 8, 13}) {
                long n = (long) a * k + 2L * prePad;
                ok &= exact(graph, n, true) && exact(graph, n, false)
                        && outputLength(graph, n, true) == (long) scale * a * k;
            }
            if (ok) {
                alignment = a;
            }
        }
        if (alignment == 0) {
            throw new NcnnFormatException(graph.source() + ": no image size up to multiples of 64 passes the network "
                    + "without rounding; expected strided layers that divide evenly");
        }
        boolean global = graph.layers().stream().anyMatch(l -> l.type().equals("Pooling") && l.getInt(4, 0) == 1);
        return new NetworkGeometry(scale, prePad, context, alignment, global);
    }

    /** Whether every strided layer divides the sizes exactly and element-wise operands agree, for input {@code n}. */
    static boolean exact(NcnnGraph graph, long n, boolean horizontal) {
        try {
            sizes(graph, n, horizontal, true);
            return true;
        } catch (NcnnFormatException e) {
            return false;
        }
    }

    private static boolean hasInternalPadding(NcnnGraph graph) {
        for (NcnnLayer l : graph.layers()) {
            if (l.type().startsWith("Convolution")) {
                int pl = l.getInt(4, 0);
                if (pl != 0 || l.getInt(15, pl) != 0 || l.getInt(14, pl) != 0 || l.getInt(16, l.getInt(14, pl)) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A conservative receptive radius in input pixels: half kernel extents divided by the scale reached so far. */
    private static int receptiveRadius(NcnnGraph graph) {
        double radius = 0;
        double upscale = 1;
        for (NcnnLayer l : graph.layers()) {
            boolean conv = l.type().startsWith("Convolution") || l.type().startsWith("Deconvolution");
            if (!conv) {
                continue; // kernel parameters only mean something for (de)convolutions
            }
            int k = l.getInt(1, 1);
            int d = l.getInt(2, 1);
            int s = l.getInt(3, 1);
            if (l.type().startsWith("Convolution")) {
                radius += (d * (k - 1) / 2.0) / upscale;
                upscale /= s;
            } else if (l.type().startsWith("Deconvolution")) {
                upscale *= s;
                radius += (d * (k - 1) / 2.0) / upscale + 1;
            }
        }
        return (int) Math.ceil(radius);
    }

    /** Kernel, dilation and stride come from the file: each must be at least 1 (a stride of 0 would divide by zero). */
    private static void requireWindow(NcnnLayer l, int kernel, int dilation, int stride) {
        if (kernel < 1 || dilation < 1 || stride < 1) {
            throw new NcnnFormatException(l + ": kernel " + kernel + ", dilation " + dilation + " and stride " + stride
                    + " must each be at least 1");
        }
    }

    /** Length of the output along one axis for an input of {@code n} pixels, following every blob of the graph. */
    public static long outputLength(NcnnGraph graph, long n, boolean horizontal) {
        return sizes(graph, n, horizontal, false);
    }

    /** Sizes along one axis; -1 marks blobs without spatial extent (after global pooling). */
    private static long sizes(NcnnGraph graph, long n, boolean horizontal, boolean strict) {
        Map<String, Long> size = new HashMap<>();
        for (NcnnLayer l : graph.layers()) {
            long in = l.inputs().isEmpty() ? n : size.get(l.inputs().get(0));
            long out;
            if (in < 0 && !l.type().equals("BinaryOp")) {
                for (String o : l.outputs()) {
                    size.put(o, -1L);
                }
                continue;
            }
            switch (l.type()) {
                case "Input":
                    out = n;
                    break;
                case "Convolution":
                case "ConvolutionDepthWise": {
                    int k = horizontal ? l.getInt(1, 1) : l.getInt(11, l.getInt(1, 1));
                    int d = horizontal ? l.getInt(2, 1) : l.getInt(12, l.getInt(2, 1));
                    int s = horizontal ? l.getInt(3, 1) : l.getInt(13, l.getInt(3, 1));
                    int p0 = horizontal ? l.getInt(4, 0) : l.getInt(14, l.getInt(4, 0));
                    int p1 = horizontal ? l.getInt(15, l.getInt(4, 0)) : l.getInt(16, l.getInt(14, l.getInt(4, 0)));
                    requireWindow(l, k, d, s);
                    if (p0 < 0 || p1 < 0) {
                        throw new NcnnFormatException(l + ": automatic padding (" + p0 + ") is not supported; "
                                + "expected explicit non-negative pads");
                    }
                    long span = in + p0 + p1 - ((long) d * (k - 1) + 1);
                    if (strict && span % s != 0) {
                        throw new NcnnFormatException(l + ": size " + in + " does not divide by stride " + s);
                    }
                    out = span / s + 1;
                    break;
                }
                case "Pooling":
                case "InnerProduct":
                    out = -1;
                    break;
                case "PixelShuffle":
                    out = in * l.getInt(0, 1);
                    break;
                case "Interp": {
                    float f = horizontal ? l.getFloat(2, 1f) : l.getFloat(1, 1f);
                    out = Math.round(in * f);
                    if (strict && Math.abs(in * f - out) > 1e-6) {
                        throw new NcnnFormatException(l + ": size " + in + " times " + f + " is not an integer");
                    }
                    break;
                }
                case "Crop": {
                    float[] starts = l.getArray(9);
                    float[] ends = l.getArray(10);
                    float[] axes = l.getArray(11);
                    if (starts.length != axes.length || ends.length != axes.length) {
                        throw new NcnnFormatException(l + ": " + starts.length + " starts (9=), " + ends.length
                                + " ends (10=) and " + axes.length + " axes (11=); expected one of each per axis");
                    }
                    out = in;
                    for (int i = 0; i < axes.length; i++) {
                        if ((int) axes[i] == (horizontal ? -1 : -2)) {
                            long st = (long) starts[i];
                            long en = (long) ends[i];
                            long b = st < 0 ? in + st : st;
                            long e = en <= 0 ? in + en : Math.min(en, in);
                            out = e - b;
                        }
                    }
                    break;
                }
                case "BinaryOp": {
                    out = -1;
                    for (String i : l.inputs()) {
                        long v = size.get(i);
                        if (v >= 0 && out >= 0 && v != out && strict) {
                            throw new NcnnFormatException(l + ": operand sizes " + out + " and " + v + " differ");
                        }
                        out = Math.max(out, v);
                    }
                    break;
                }
                case "Deconvolution":
                case "DeconvolutionDepthWise": {
                    int k = horizontal ? l.getInt(1, 1) : l.getInt(11, l.getInt(1, 1));
                    int d = horizontal ? l.getInt(2, 1) : l.getInt(12, l.getInt(2, 1));
                    int s = horizontal ? l.getInt(3, 1) : l.getInt(13, l.getInt(3, 1));
                    int p0 = horizontal ? l.getInt(4, 0) : l.getInt(14, l.getInt(4, 0));
                    int p1 = horizontal ? l.getInt(15, l.getInt(4, 0)) : l.getInt(16, l.getInt(14, l.getInt(4, 0)));
                    int outPad = horizontal ? l.getInt(18, 0) : l.getInt(19, l.getInt(18, 0));
                    requireWindow(l, k, d, s);
                    out = (in - 1) * s + (long) d * (k - 1) + 1 + outPad - p0 - p1;
                    break;
                }
                default:
                    out = in; // element-wise layers keep the size
            }
            if (out == 0 || out < -1) {
                throw new NcnnFormatException(l + ": an input of " + n + " pixels leaves no output at this layer");
            }
            for (String o : l.outputs()) {
                size.put(o, out);
            }
        }
        return size.get(graph.outputBlobs().get(0));
    }
}
