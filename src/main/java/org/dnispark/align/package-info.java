/**
 * Permutation alignment of networks before interpolation (Ainsworth et al., <i>Git Re-Basin</i>, ICLR 2023):
 * a network's hidden channels can be reordered without changing its function, so a model B can be lined up with a
 * reference A first, which lets networks trained from different starts interpolate. {@link PermutationSpec} says
 * which tensor axes one hidden-channel permutation reorders (each architecture states its own, beside its
 * detection), {@link Permutation} applies one exactly, and {@link WeightMatching} finds it by coordinate descent over
 * layers with an exact linear assignment per layer. Pure JVM code: no Spark, no engine.
 */
package org.dnispark.align;
