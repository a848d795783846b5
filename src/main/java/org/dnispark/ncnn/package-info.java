/**
 * The ncnn model format: {@code .param} graphs and {@code .bin} weights (fp16 and fp32 storage), read into
 * {@link org.dnispark.core.ModelWeights} so that ncnn models take part in interpolation like any other. Only the
 * format: running a graph, and its spatial geometry, are the runtime's. No Spark, no DJL.
 */
package org.dnispark.ncnn;
