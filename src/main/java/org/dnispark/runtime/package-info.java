/**
 * Inference with DJL's PyTorch engine, and every DJL import of the inference side: an interpreter for ncnn graphs
 * (with an exact polyphase rewrite of deconvolution, which the engine lacks), the built-in architectures for plain
 * state dicts, each registered once in {@link org.dnispark.runtime.ArchitectureRegistry} with its detection, the
 * {@link org.dnispark.runtime.NetworkGeometry} tiling needs, TorchScript modules, and the tiled whole-image predictor.
 */
package org.dnispark.runtime;
