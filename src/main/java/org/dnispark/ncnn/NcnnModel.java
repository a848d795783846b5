package org.dnispark.ncnn;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.dnispark.core.DType;
import org.dnispark.core.HalfFloats;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * An ncnn model: its {@link NcnnGraph} and the weights read from the {@code .bin} file, named
 * {@code <layer>.weight}, {@code <layer>.bias} and so on. Reading accounts for every byte of the {@code .bin}:
 * a truncated file or trailing bytes are errors.
 */
public final class NcnnModel implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Storage tag for fp16 weights ({@code 0x01306B47}); a zero tag means raw fp32. */
    static final int TAG_FP16 = 0x01306B47;
    static final int TAG_FP32_ALT = 0x0002C056;
    static final int TAG_INT8 = 0x000D4B38;

    /** Layer types known to carry no weights in the {@code .bin}. */
    private static final Set<String> WEIGHTLESS = Set.of("Input", "ReLU", "Split", "Concat", "Eltwise", "BinaryOp",
            "Crop", "Pooling", "Interp", "PixelShuffle", "Sigmoid", "Reshape", "Softmax", "Flatten", "Clip",
            "Dropout", "TanH", "UnaryOp", "Noop", "Permute", "Slice", "Swish", "HardSigmoid", "HardSwish", "Mish");

    private final NcnnGraph graph;
    private final ModelWeights weights;

    public NcnnModel(NcnnGraph graph, ModelWeights weights) {
        this.graph = graph;
        this.weights = weights;
    }

    public NcnnGraph graph() {
        return graph;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** Reads a model from the {@code .param} text and {@code .bin} bytes; {@code label} names it in messages. */
    public static NcnnModel read(String paramText, byte[] bin, String label) {
        NcnnGraph graph = NcnnGraph.parse(paramText, label + ".param");
        BinCursor cur = new BinCursor(bin, label + ".bin");
        List<NamedTensor> tensors = new ArrayList<>();
        for (NcnnLayer layer : graph.layers()) {
            readLayer(layer, cur, tensors);
        }
        for (NamedTensor t : tensors) {
            requireFinite(t, label + ".bin");
        }
        if (cur.remaining() != 0) {
            throw new NcnnFormatException(label + ".bin has " + cur.remaining() + " bytes after the last weight (at "
                    + "offset " + cur.position() + "); the file does not belong to " + label + ".param");
        }
        return new NcnnModel(graph, new ModelWeights(label, tensors));
    }

    /**
     * The {@code .bin} bytes of {@code weights}, which must hold the tensors {@link #read} gives for {@code graph}, in
     * its order: (de)convolution and InnerProduct weights tagged fp16 or fp32 by their dtype (fp16 padded to 4 bytes),
     * everything else raw fp32. Reading the result with the same {@code .param} gives back {@code weights} exactly.
     */
    public static byte[] writeBin(NcnnGraph graph, ModelWeights weights) {
        java.util.Map<String, String> types = new java.util.HashMap<>();
        graph.layers().forEach(l -> types.put(l.name(), l.type()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (NamedTensor t : weights.tensors()) {
            int dot = t.name().lastIndexOf('.');
            String type = dot < 0 ? null : types.get(t.name().substring(0, dot));
            if (type == null) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' belongs to no layer of " + graph.source());
            }
            float[] v = t.floatValues();
            boolean tagged = t.name().endsWith(".weight") && Set.of("Convolution", "ConvolutionDepthWise",
                    "Deconvolution", "DeconvolutionDepthWise", "InnerProduct").contains(type);
            boolean half = tagged && t.dtype() == DType.FLOAT16;
            int bytes = (tagged ? 4 : 0) + (half ? ((2 * v.length + 3) & ~3) : 4 * v.length);
            ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (tagged) {
                b.putInt(half ? TAG_FP16 : 0);
            }
            for (float f : v) {
                if (half) {
                    b.putShort(HalfFloats.floatToHalf(f));
                } else {
                    b.putFloat(f);
                }
            }
            out.write(b.array(), 0, bytes);
        }
        return out.toByteArray();
    }

    /** NaN or infinite weights would silently poison every interpolation that touches them. */
    static void requireFinite(NamedTensor t, String source) {
        String bad = t.nonFinite();
        if (bad != null) {
            throw new NcnnFormatException(source + ": tensor " + t.name() + " " + bad + "; expected finite weights");
        }
    }

    private static void readLayer(NcnnLayer layer, BinCursor cur, List<NamedTensor> out) {
        String type = layer.type();
        switch (type) {
            case "Convolution":
            case "ConvolutionDepthWise":
            case "Deconvolution":
            case "DeconvolutionDepthWise":
            case "InnerProduct": {
                if (layer.getInt(8, 0) != 0) {
                    throw new NcnnFormatException(layer + ": int8 quantised weights (8=" + layer.getInt(8, 0)
                            + ") are not supported; expected fp16 or fp32 weights");
                }
                // InnerProduct keeps bias_term and weight_data_size under ids 1 and 2; convolutions under 5 and 6.
                boolean dense = type.equals("InnerProduct");
                int numOutput = positive(layer, 0, "num_output");
                int weightCount = positive(layer, dense ? 2 : 6, "weight_data_size");
                int[] shape = weightShape(layer, numOutput, weightCount);
                out.add(cur.taggedWeights(layer.name() + ".weight", shape, weightCount, layer));
                if (layer.getInt(dense ? 1 : 5, 0) != 0) {
                    out.add(cur.rawFloats(layer.name() + ".bias", new int[] {numOutput}, layer));
                }
                return;
            }
            case "PReLU": {
                int n = positive(layer, 0, "num_slope");
                out.add(cur.rawFloats(layer.name() + ".slope", new int[] {n}, layer));
                return;
            }
            case "BatchNorm": {
                int c = positive(layer, 0, "channels");
                for (String part : new String[] {"slope", "mean", "var", "bias"}) {
                    out.add(cur.rawFloats(layer.name() + "." + part, new int[] {c}, layer));
                }
                return;
            }
            case "Scale": {
                int n = layer.getInt(0, 0);
                if (n == -233) {
                    return; // scale comes from a second input blob
                }
                out.add(cur.rawFloats(layer.name() + ".scale", new int[] {n}, layer));
                if (layer.getInt(1, 0) != 0) {
                    out.add(cur.rawFloats(layer.name() + ".bias", new int[] {n}, layer));
                }
                return;
            }
            default:
                if (!WEIGHTLESS.contains(type)) {
                    throw new NcnnFormatException(layer + ": layer type '" + type + "' is not supported by the .bin "
                            + "reader (its weight layout is unknown)");
                }
        }
    }

    private static int positive(NcnnLayer layer, int id, String what) {
        int v = layer.getInt(id, 0);
        if (v <= 0) {
            throw new NcnnFormatException(layer + ": parameter " + id + " (" + what + ") is " + v
                    + "; expected a positive integer");
        }
        return v;
    }

    private static int[] weightShape(NcnnLayer layer, int numOutput, int weightCount) {
        if (layer.type().equals("InnerProduct")) {
            if (weightCount % numOutput != 0) {
                throw new NcnnFormatException(layer + ": weight_data_size " + weightCount
                        + " is not a multiple of num_output " + numOutput);
            }
            return new int[] {numOutput, weightCount / numOutput};
        }
        int kw = layer.getInt(1, 0);
        int kh = layer.getInt(11, kw);
        if (kw <= 0 || kh <= 0) {
            throw new NcnnFormatException(layer + ": kernel size " + kh + "x" + kw + " is not positive");
        }
        long perFilter = (long) numOutput * kw * kh;
        if (weightCount % perFilter != 0) {
            throw new NcnnFormatException(layer + ": weight_data_size " + weightCount + " is not a multiple of "
                    + "num_output*kernel_h*kernel_w = " + perFilter);
        }
        // ncnn lays out (de)convolution weights as [out][in/group][kh][kw].
        return new int[] {numOutput, (int) (weightCount / perFilter), kh, kw};
    }

    /** Sequential little-endian reader over the .bin with bounds checks that name the layer. */
    private static final class BinCursor {
        private final ByteBuffer buf;
        private final String source;

        BinCursor(byte[] bytes, String source) {
            this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.source = source;
        }

        int remaining() {
            return buf.remaining();
        }

        int position() {
            return buf.position();
        }

        private void need(long bytes, NcnnLayer layer, String what) {
            if (bytes > buf.remaining()) {
                throw new NcnnFormatException(source + " is truncated: " + layer + " needs " + bytes + " bytes for "
                        + what + " at offset " + buf.position() + " but only " + buf.remaining() + " remain");
            }
        }

        NamedTensor taggedWeights(String name, int[] shape, int count, NcnnLayer layer) {
            need(4, layer, "the weight storage tag");
            int tag = buf.getInt();
            // The smallest encoding (fp16) must fit in what is left before anything is allocated for it.
            need(2L * Math.max(count, 0), layer, count + " weights");
            float[] values = new float[count];
            if (tag == TAG_FP16) {
                long bytes = ((2L * count) + 3) & ~3L; // fp16 data is padded to 4 bytes
                need(bytes, layer, count + " fp16 weights");
                int start = buf.position();
                for (int i = 0; i < count; i++) {
                    values[i] = HalfFloats.halfToFloat(buf.getShort());
                }
                buf.position(start + (int) bytes);
                return NamedTensor.ofFloats(name, shape, DType.FLOAT16, values);
            }
            if (tag == 0 || tag == TAG_FP32_ALT) {
                need(4L * count, layer, count + " fp32 weights");
                buf.asFloatBuffer().get(values);
                buf.position(buf.position() + 4 * count);
                return NamedTensor.ofFloats(name, shape, DType.FLOAT32, values);
            }
            String kind = tag == TAG_INT8 ? "int8" : "256-entry quantisation table";
            throw new NcnnFormatException(source + ": " + layer + " stores its weights as " + kind + " (tag 0x"
                    + Integer.toHexString(tag) + " at offset " + (buf.position() - 4)
                    + "); expected fp16 (0x1306b47) or fp32 (0)");
        }

        NamedTensor rawFloats(String name, int[] shape, NcnnLayer layer) {
            long elements = NamedTensor.elementCount(shape);
            need(4L * elements, layer, elements + " fp32 values of " + name);
            int count = (int) elements;
            float[] values = new float[count];
            buf.asFloatBuffer().get(values);
            buf.position(buf.position() + 4 * count);
            return NamedTensor.ofFloats(name, shape, DType.FLOAT32, values);
        }
    }
}
