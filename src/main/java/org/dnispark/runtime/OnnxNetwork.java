package org.dnispark.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

import org.dnispark.core.ModelWeights;
import org.dnispark.formats.OnnxModel;

/**
 * Any architecture, as an ONNX graph run by ONNX Runtime through DJL's {@code onnxruntime-engine}: each weight set
 * (one interpolation coefficient's) is written into the graph's initializers ({@link OnnxModel#withWeights}) and
 * loaded as a new session. Executors receive the graph without its weights ({@link OnnxModel#skeleton}). The
 * session options name no custom-operator library, ever (the graph's operators were checked to be standard ones
 * when it was read). The receptive field of an arbitrary graph is unknown, so it always runs on the whole image,
 * which is exact; images go through one at a time, since exported graphs often fix the batch at 1.
 *
 * <p>Device: a GPU manager gives a GPU device, for which DJL's engine adds ONNX Runtime's CUDA execution provider
 * (the {@code cuda} Maven profile brings ONNX Runtime's CUDA build); otherwise the CPU, with one intra-op thread per
 * task like the PyTorch engine.
 */
public final class OnnxNetwork implements ImageNetwork {
    private final OnnxModel skeleton;
    private final Device device;
    private Model model;
    private Predictor<NDList, NDList> predictor;

    OnnxNetwork(OnnxModel skeleton, Device device) {
        this.skeleton = skeleton;
        this.device = device;
    }

    /**
     * The options the session is created with: thread counts only. Never {@code customOpLibrary} (DJL would load
     * that shared library into the JVM), whatever the model or the configuration says.
     */
    static Map<String, String> sessionOptions(Device device) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("interOpNumThreads", "1");
        o.put("intraOpNumThreads", System.getProperty("ai.djl.pytorch.num_threads", "1"));
        return o;
    }

    /** A spec for executors: the graph's skeleton; the scale is measured by running it on two input sizes. */
    public static NetworkSpec spec(OnnxModel model) {
        if (model.graphInputs().size() != 1 || model.graphOutputs().size() != 1) {
            throw new IllegalArgumentException(model.source() + ": an ONNX graph with inputs " + model.graphInputs()
                    + " and outputs " + model.graphOutputs() + "; expected one image in and one image out");
        }
        int scale;
        OnnxModel skeleton = model.skeleton();
        try (OnnxNetwork probe = new OnnxNetwork(skeleton, Device.cpu())) {
            probe.setWeights(model.weights());
            int[] a = new int[3];
            int[] b = new int[3];
            probe.forward(new float[3 * 16 * 16], 1, 3, 16, 16, a);
            probe.forward(new float[3 * 24 * 20], 1, 3, 24, 20, b);
            scale = a[2] / 16;
            if (a[0] != 3 || scale < 1 || a[2] != 16 * scale || a[1] != 16 * scale || b[1] != 24 * scale
                    || b[2] != 20 * scale) {
                throw new IllegalArgumentException(model.source() + ": the ONNX graph maps 3x16x16 to " + a[0] + "x"
                        + a[1] + "x" + a[2] + " and 3x24x20 to " + b[0] + "x" + b[1] + "x" + b[2] + "; expected an RGB "
                        + "image up-scaled by one integer factor");
            }
        }
        return new OnnxSpec(skeleton, new NetworkGeometry(scale, 0, 0, 1, true));
    }

    /** An ONNX graph (without weights) and its measured geometry. */
    record OnnxSpec(OnnxModel skeleton, NetworkGeometry geometry) implements NetworkSpec {
        @Override
        public String name() {
            return "ONNX " + skeleton.source() + " (" + skeleton.nodes().size() + " nodes, scale " + geometry.scale()
                    + ", whole image)";
        }

        @Override
        public ImageNetwork create(NDManager manager) {
            return new OnnxNetwork(skeleton, manager.getDevice());
        }
    }

    @Override
    public void setWeights(ModelWeights weights) {
        Model next = Model.newInstance("dni-onnx", device, "OnnxRuntime");
        try {
            next.load(new ByteArrayInputStream(skeleton.withWeights(weights, Map.of())), sessionOptions(device));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            next.close();
            throw new IllegalArgumentException(skeleton.source() + ": ONNX Runtime cannot load the graph: "
                    + e.getMessage(), e);
        }
        close();
        model = next;
        predictor = next.newPredictor(new NoopTranslator());
    }

    @Override
    public float[] forward(float[] input, int batch, int channels, int height, int width, int[] outShape) {
        int plane = channels * height * width;
        float[] out = null;
        for (int i = 0; i < batch; i++) {
            float[] one = new float[plane];
            System.arraycopy(input, i * plane, one, 0, plane);
            try (NDManager scope = model.getNDManager().newSubManager()) {
                NDArray x = Tensors.onnxInput(scope, one, new Shape(1, channels, height, width));
                NDList y = predictor.predict(new NDList(x));
                NDArray image = y.get(0);
                Shape s = image.getShape();
                if (s.dimension() != 4 || s.get(0) != 1) {
                    throw new IllegalArgumentException(skeleton.source() + ": the ONNX graph's output has shape " + s
                            + "; expected [1, channels, height, width]");
                }
                float[] values = image.toFloatArray();
                y.close();
                if (out == null) {
                    outShape[0] = (int) s.get(1);
                    outShape[1] = (int) s.get(2);
                    outShape[2] = (int) s.get(3);
                    out = new float[values.length * batch];
                }
                System.arraycopy(values, 0, out, i * values.length, values.length);
            } catch (TranslateException e) {
                throw new IllegalStateException(skeleton.source() + ": ONNX Runtime failed on a " + width + "x"
                        + height + " image: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (predictor != null) {
            predictor.close();
            predictor = null;
        }
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
