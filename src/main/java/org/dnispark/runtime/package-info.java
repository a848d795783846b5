/**
 * Inference with DJL's PyTorch engine: an interpreter for ncnn graphs (with an exact polyphase rewrite of
 * deconvolution, which the engine lacks) and a tiled whole-image predictor. Holds every DJL import of the project.
 */
package org.dnispark.runtime;
