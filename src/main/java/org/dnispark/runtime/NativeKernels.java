package org.dnispark.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;

/**
 * libtorch operators that DJL's API does not reach, run through a TorchScript module that is this project's own code
 * (the source is below; no file is read), built in memory and loaded once per JVM. The one class that imports the
 * PyTorch engine: every other class sees NDArrays only.
 *
 * <p>Why (issue 29): DJL's {@code Conv2d.conv2d} is libtorch's {@code aten::conv2d}, which on every call copies the
 * kernel into the activations' memory order and hands oneDNN a separate convolution; the activation after it is one
 * more pass over the output. {@code mkldnn::_convolution_pointwise} is the operator libtorch's own compiler emits for
 * the same convolution on CPU: oneDNN's convolution with the activation applied as it writes each output, and no
 * kernel copy. The values are the same bits: the same oneDNN kernel computes the convolution, and ReLU and leaky ReLU
 * are one comparison and one product per value either way ({@code NativeKernelsTest} compares every built-in network
 * both ways).
 *
 * <p>Only for inference on the CPU in float32: the fused operator has no gradient (training keeps
 * {@link Ops#sameConv}) and exists for oneDNN only.
 */
public final class NativeKernels {
    private NativeKernels() {
    }

    /** The activation computed inside the convolution. */
    public enum Activation {
        NONE("none"), RELU("relu"), LEAKY_RELU("leaky_relu");

        private final String attr;

        Activation(String attr) {
            this.attr = attr;
        }
    }

    /**
     * The module's source. {@code convolution} is a stride-1 convolution, groups 1, with {@code padding} on every side,
     * then {@code attr} with its {@code scalars} (leaky ReLU's slope); None unless {@code x} is channels-last
     * ({@code is_contiguous(memory_format=torch.channels_last)}, format 2).
     */
    static final String SOURCE = """
            class DniKernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.DniKernels,
                x: Tensor) -> Tensor:
                return x
              def convolution(self: __torch__.DniKernels,
                x: Tensor,
                w: Tensor,
                b: Tensor,
                padding: int,
                attr: str,
                scalars: List[float]) -> Optional[Tensor]:
                if not torch.is_contiguous(x, 2):
                  return None
                s = annotate(List[Optional[number]], [])
                for v in scalars:
                  s.append(v)
                return ops.mkldnn._convolution_pointwise(x, w, b, [padding, padding], [1, 1], [1, 1], 1, attr, s, None)
            """;

    /**
     * Whether {@link #sameConv} computes {@code conv(x, weight, bias)} for these arrays, to the bit: on the CPU, all
     * float32, a 4-D input, a square odd kernel of 3 or more with as many input channels as {@code x} has (groups 1),
     * and a bias; and where libtorch's {@code aten::conv2d} itself picks oneDNN for a float32 CPU convolution
     * ({@code ConvParams::use_mkldnn}: a kernel larger than 3, a batch of 2 or more, or more than 20480 input values).
     * Elsewhere (1x1 kernels on one thread, small 3x3 inputs) it runs its own direct kernel, whose sums are ordered
     * differently, and so do the callers.
     */
    public static boolean applies(NDArray x, NDArray weight, NDArray bias) {
        if (bias == null || x.getShape().dimension() != 4 || weight.getShape().dimension() != 4
                || x.getDataType() != DataType.FLOAT32 || weight.getDataType() != DataType.FLOAT32
                || bias.getDataType() != DataType.FLOAT32 || x.getDevice().getDeviceType() != Device.Type.CPU
                || !(x instanceof PtNDArray) || !(weight instanceof PtNDArray) || !(bias instanceof PtNDArray)) {
            return false;
        }
        long k = weight.getShape().get(2);
        return k == weight.getShape().get(3) && k % 2 == 1 && k >= 3 && weight.getShape().get(1) == x.getShape().get(1)
                && bias.getShape().dimension() == 1 && bias.getShape().get(0) == weight.getShape().get(0)
                && (k > 3 || x.getShape().get(0) > 1 || x.getShape().size() > ATEN_DIRECT_MAX_VALUES);
    }

    /** The largest batch-1 input for which {@code aten::conv2d} runs a 3x3 kernel without oneDNN. */
    static final long ATEN_DIRECT_MAX_VALUES = 20480;

    /** Fused convolutions run in this JVM: lets tests see that a network took this path. */
    static final java.util.concurrent.atomic.LongAdder CALLS = new java.util.concurrent.atomic.LongAdder();

    /**
     * {@code activation(conv(x, weight, bias))}, stride 1 and padding {@code k / 2} as {@link Ops#sameConv}, in one
     * oneDNN operator; the result belongs to the manager of {@code x} and is channels-last too. Only where
     * {@link #applies} holds. Null when {@code x} is not laid out channels-last: there {@code aten::conv2d} hands
     * oneDNN the activations in another order for 24 or more channels, and the sums come out differently (DJL has
     * no call that shows an array's memory order, so the module looks).
     */
    public static NDArray sameConv(NDArray x, NDArray weight, NDArray bias, Activation activation, double slope) {
        if (!applies(x, weight, bias)) {
            throw new IllegalArgumentException("the fused convolution needs CPU float32 arrays, a 4-D input, a square "
                    + "odd kernel of 3 or more over all its channels, a bias, and an input oneDNN would get from "
                    + "aten::conv2d; got input " + x.getShape() + " " + x.getDataType()
                    + " on " + x.getDevice() + ", kernel " + weight.getShape() + ", bias "
                    + (bias == null ? "none" : bias.getShape()));
        }
        double[] scalars = activation == Activation.LEAKY_RELU ? new double[] {slope} : new double[0];
        IValue[] args = {IValue.from((PtNDArray) x), IValue.from((PtNDArray) weight), IValue.from((PtNDArray) bias),
                IValue.from(weight.getShape().get(2) / 2), IValue.from(activation.attr), IValue.listFrom(scalars)};
        try (IValue out = IValueUtils.runMethod(Module.BLOCK, "convolution", args)) {
            if (!out.isTensor()) {
                return null;
            }
            CALLS.increment();
            return out.toTensor((PtNDManager) x.getManager());
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    /** The loaded module, built on first use (class initialisation is once per JVM and thread-safe). */
    private static final class Module {
        /**
         * Held for the JVM's life, as the engine is: DJL frees a model's module once the model is unreachable, even
         * while its block is still in use.
         */
        static final Model MODEL = load();
        static final PtSymbolBlock BLOCK = (PtSymbolBlock) MODEL.getBlock();

        private static Model load() {
            Model model = Model.newInstance("dni-native-kernels", Device.cpu(), "PyTorch");
            try {
                model.load(new ByteArrayInputStream(archive()), Map.of());
            } catch (IOException | MalformedModelException e) {
                model.close();
                throw new IllegalStateException("libtorch refused dni-spark's own kernel module: " + e.getMessage(), e);
            }
            return model;
        }
    }

    /**
     * The TorchScript archive of {@link #SOURCE}: the module object (a {@code DniKernels} with {@code training}
     * false, pickled), no constants, format version 3, every record stored uncompressed.
     */
    static byte[] archive() {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(0x80); // PROTO 2
        data.write(2);
        byte[] global = "c__torch__\nDniKernels\n".getBytes(StandardCharsets.US_ASCII);
        data.writeBytes(global); // GLOBAL
        data.write(')'); // EMPTY_TUPLE
        data.write(0x81); // NEWOBJ
        data.write('}'); // EMPTY_DICT
        byte[] training = "training".getBytes(StandardCharsets.US_ASCII);
        data.write('X'); // BINUNICODE, little-endian length
        data.writeBytes(new byte[] {(byte) training.length, 0, 0, 0});
        data.writeBytes(training);
        data.write(0x89); // NEWFALSE
        data.write('s'); // SETITEM
        data.write('b'); // BUILD
        data.write('.'); // STOP
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            stored(out, "dni_kernels/data.pkl", data.toByteArray());
            stored(out, "dni_kernels/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(out, "dni_kernels/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(out, "dni_kernels/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zip.toByteArray();
    }

    private static void stored(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        out.putNextEntry(e);
        out.write(bytes);
        out.closeEntry();
    }
}
