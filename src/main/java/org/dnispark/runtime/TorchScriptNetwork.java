package org.dnispark.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.dnispark.core.ModelWeights;
import org.dnispark.formats.TorchScriptArchive;

/**
 * Any architecture, as a TorchScript module: each weight set (for example one interpolation coefficient's) is
 * written into the archive's storage records and loaded with DJL, so parameters and buffers both take the
 * interpolated values. The module's receptive field is unknown, so it always runs on the whole image (exact).
 */
public final class TorchScriptNetwork implements ImageNetwork {
    private final TorchScriptArchive archive;
    private final NDManager manager;
    private Model model;

    TorchScriptNetwork(TorchScriptArchive archive, NDManager manager) {
        this.archive = archive;
        this.manager = manager;
    }

    /** A spec for executors; the scale is measured by running the module on two input sizes. */
    public static NetworkSpec spec(TorchScriptArchive archive) {
        int scale;
        try (NDManager m = NDManager.newBaseManager(); TorchScriptNetwork probe = new TorchScriptNetwork(archive, m)) {
            probe.setWeights(archive.weights());
            int[] a = new int[3];
            int[] b = new int[3];
            probe.forward(new float[3 * 16 * 16], 1, 3, 16, 16, a);
            probe.forward(new float[3 * 24 * 20], 1, 3, 24, 20, b);
            scale = a[2] / 16;
            if (a[0] != 3 || a[2] != 16 * scale || a[1] != 16 * scale || b[1] != 24 * scale || b[2] != 20 * scale
                    || scale < 1) {
                throw new IllegalArgumentException(archive.source() + ": the TorchScript module maps 3x16x16 to "
                        + a[0] + "x" + a[1] + "x" + a[2] + " and 3x24x20 to " + b[0] + "x" + b[1] + "x" + b[2]
                        + "; expected an RGB image up-scaled by one integer factor");
            }
        }
        NetworkGeometry geometry = new NetworkGeometry(scale, 0, 0, 1, true);
        return new NetworkSpec() {
            private static final long serialVersionUID = 1L;

            @Override
            public String name() {
                return "TorchScript " + archive.source() + " (scale " + geometry.scale() + ", whole image)";
            }

            @Override
            public NetworkGeometry geometry() {
                return geometry;
            }

            @Override
            public ImageNetwork create(NDManager m) {
                return new TorchScriptNetwork(archive, m);
            }
        };
    }

    @Override
    public void setWeights(ModelWeights weights) {
        Model next = Model.newInstance("dni-torchscript", manager.getDevice(), "PyTorch");
        try {
            next.load(new ByteArrayInputStream(archive.withWeights(weights)), Map.of());
        } catch (IOException | MalformedModelException | RuntimeException e) {
            next.close();
            throw new IllegalArgumentException(archive.source() + ": cannot load the TorchScript module: "
                    + e.getMessage(), e);
        }
        if (model != null) {
            model.close();
        }
        model = next;
    }

    @Override
    public float[] forward(float[] input, int batch, int channels, int height, int width, int[] outShape) {
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = Tensors.copyIn(scope, input, new Shape(batch, channels, height, width));
            NDArray y = model.getBlock().forward(new ParameterStore(scope, false), new NDList(x), false)
                    .singletonOrThrow();
            return StateDictNetwork.result(y, outShape);
        }
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
