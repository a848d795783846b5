package org.dnispark.runtime;

import java.io.Serializable;
import java.util.List;

import ai.djl.ndarray.NDManager;

import org.dnispark.core.ModelWeights;
import org.dnispark.ncnn.NcnnGeometry;

/**
 * Built-in architectures for plain state dicts, recognised from their PyTorch key names and shapes, so that
 * checkpoints load as they are. A checkpoint that fits none gets an error that says what was found.
 */
public final class Architectures {
    /** The architectures known, for error messages. */
    public static final List<String> KNOWN = List.of(
            "SRVGGNetCompact (Real-ESRGAN general models): body.0 conv, body.1 PReLU, ..., last conv to 3*r*r",
            "DnCNN (KAIR): model.0 conv, then conv + BatchNorm blocks, last conv; output = input - noise",
            "RRDBNet (ESRGAN, BasicSR keys): conv_first, body.N.rdb1..3.conv1..5, conv_body, conv_up1/2, conv_hr, "
                    + "conv_last; scales 4, 2 (pixel-unshuffled input) and 1",
            "MSRResNet (BasicSR keys): conv_first, body.N.conv1/conv2, upconv1[/upconv2], conv_hr, conv_last",
            "SRCNN-style (the DNI paper's analysis network): conv1 9x9, conv2, conv3 9x9",
            "waifu2x vgg_7 (models_rgb JSON): layer0..layer6, 3x3 convolutions without padding");

    private Architectures() {
    }

    /** A serialisable factory, so that executors can build the network. */
    interface Factory extends Serializable {
        ImageNetwork create(NDManager manager);
    }

    /** A recognised architecture: its description, scale, tiling context and factory. */
    static final class Detected implements NetworkSpec {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final NcnnGeometry geometry;
        private final Factory factory;

        Detected(String name, int scale, int receptiveRadius, Factory factory) {
            this(name, scale, receptiveRadius, 1, factory);
        }

        /** A network whose geometry is known as such (for example one that pads its input itself). */
        Detected(String name, NcnnGeometry geometry, Factory factory) {
            this.name = name;
            this.geometry = geometry;
            this.factory = factory;
        }

        /** {@code alignment}: image sizes must be multiples of it (pixel-unshuffled inputs); context follows it. */
        Detected(String name, int scale, int receptiveRadius, int alignment, Factory factory) {
            this.name = name;
            int context = (receptiveRadius + alignment - 1) / alignment * alignment;
            this.geometry = NcnnGeometry.explicit(scale, 0, context, alignment, false);
            this.factory = factory;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NcnnGeometry geometry() {
            return geometry;
        }

        @Override
        public ImageNetwork create(NDManager manager) {
            return factory.create(manager);
        }
    }

    /** The built-in architecture of a state dict; an error naming what was found when none fits. */
    public static NetworkSpec detect(ModelWeights weights) {
        NetworkSpec spec = SrvggNetCompact.detect(weights);
        if (spec == null) {
            spec = DnCnn.detect(weights);
        }
        if (spec == null) {
            spec = RrdbNet.detect(weights);
        }
        if (spec == null) {
            spec = SimpleNetworks.detectMsrResNet(weights);
        }
        if (spec == null) {
            spec = SimpleNetworks.detectSrcnn(weights);
        }
        if (spec == null) {
            spec = Vgg7.detect(weights);
        }
        if (spec != null) {
            return spec;
        }
        List<String> names = weights.names();
        throw new IllegalArgumentException("'" + weights.label() + "': no built-in architecture matches its "
                + names.size() + " tensors (first: " + names.subList(0, Math.min(4, names.size())) + ", last: "
                + names.get(names.size() - 1) + "); built in: " + KNOWN + ". Export the model as an ncnn graph to "
                + "run it, or interpolate it with jobs/dni interpolate");
    }
}
