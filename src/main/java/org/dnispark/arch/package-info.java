/**
 * The architecture room: every built-in network that plain state dicts load as, one file each, with its detection
 * from key names and shapes, its hyper-parameters, its {@link org.dnispark.runtime.NetworkGeometry} (scale, padding or
 * size multiple, tile context or whole-image only) and its permutation spec for alignment or a refusal that names
 * why, beside the network's forward pass. {@link org.dnispark.arch.ArchitectureRegistry} lists them in detection
 * order; the README's architecture table and the "known architectures" text of errors come from it.
 *
 * <ul>
 *   <li>Convolutional: SRCNN, VGG7 (waifu2x), DnCNN, MSRResNet, RRDBNet (ESRGAN, in every key layout:
 *       {@link org.dnispark.arch.EsrganLayout}), SRVGGNetCompact, SPAN, PLKSR and RealPLKSR.</li>
 *   <li>Attention: SwinIR, DAT, OmniSR, with the transformer pieces they share in {@code Layers}.</li>
 * </ul>
 *
 * <p>Every network here extends {@link org.dnispark.runtime.StateDictNetwork} and follows the native memory rule of
 * {@code org.dnispark.runtime} (Java values become arrays only through {@link org.dnispark.runtime.Tensors}, scalar
 * arithmetic through {@link org.dnispark.runtime.Ops}). Each is checked against its upstream implementation on
 * fixtures that upstream code generated ({@code src/test/python}). The engine pieces (the ncnn interpreter, tiling,
 * devices, TorchScript and ONNX Runtime) stay in {@code org.dnispark.runtime}.
 */
package org.dnispark.arch;
