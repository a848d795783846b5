/**
 * Weight file formats beyond ncnn: PyTorch {@code .pth} state dicts (read through a restricted unpickler that never
 * runs code, written so that {@code torch.load(..., weights_only=True)} accepts them) and safetensors. No Spark.
 */
package org.dnispark.formats;
