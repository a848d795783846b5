/**
 * The inference engine pieces, and every DJL import of the inference side but the architectures' own: an interpreter
 * for ncnn graphs (with an exact polyphase rewrite of deconvolution, which the engine lacks), the base of in-process
 * networks ({@link org.dnispark.runtime.StateDictNetwork}; the built-in architectures themselves live in
 * {@code org.dnispark.arch}), the {@link org.dnispark.runtime.NetworkGeometry} tiling needs, TorchScript modules, ONNX
 * graphs run by ONNX Runtime ({@link org.dnispark.runtime.OnnxNetwork}), devices, and the tiled whole-image predictor.
 *
 * <h2>Native memory: the rule for this package, {@code org.dnispark.arch} and {@code org.dnispark.train}</h2>
 * <ol>
 *   <li><b>The engine owns every array's memory.</b> Java values become arrays only through
 *       {@link org.dnispark.runtime.Tensors} ({@code copyIn}, {@code scalar}), which copy into libtorch memory.
 *       Scalar arithmetic goes through {@link org.dnispark.runtime.Ops} ({@code mul}, {@code add}, {@code maximum},
 *       {@code minimum}, {@code clip}). DJL's {@code create(float[])}, {@code set(Buffer)} and scalar overloads
 *       ({@code x.mul(0.2f)}) hand libtorch a pointer into a Java buffer that the garbage collector may free while
 *       autograd or a view still reads it. That was issue 24: gradients computed from freed memory, NaN or silently
 *       wrong, at a step set by the collector's timing. {@code NativeMemoryRuleTest} checks every class file for
 *       such calls.</li>
 *   <li><b>One owner per array, whose lifetime covers every use.</b> Long-lived arrays (weights, trainable
 *       parameters, Adam moments) belong to a manager that outlives the loop. Everything one forward pass, step or
 *       tile makes belongs to that call's sub-manager ({@code scope}), which is closed once the results are copied
 *       out. An array derived from a long-lived one (a reshaped view, say) is moved into the scope with
 *       {@link org.dnispark.runtime.Ops#scopedLike}, so nothing accumulates beside the weights. A replaced
 *       long-lived array (batch norm's running statistics) is attached to the long-lived manager, and only then is
 *       the old one closed. In inference a network may also free an intermediate as soon as it has been used
 *       ({@code StateDictNetwork.release}; a no-op in training and while a probe records), so that a pass reuses warm
 *       memory instead of holding all of its intermediates to its end (issue 29).</li>
 *   <li><b>One thread per array.</b> A network, its predictor and its managers serve one task thread at a time.
 *       Autograd's grad mode is per thread: trainers switch it off on their own thread and record only inside a
 *       {@code GradientCollector}.</li>
 *   <li><b>Debugging.</b> {@code dni.debug.check-finite} ({@link org.dnispark.runtime.FiniteCheck}) checks every
 *       intermediate array and names the first layer and operation that made a NaN or infinity.</li>
 * </ol>
 */
package org.dnispark.runtime;
