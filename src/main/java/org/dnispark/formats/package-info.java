/**
 * Weight file formats beyond ncnn: PyTorch {@code .pth} state dicts (read through a restricted unpickler that never
 * runs code, written so that {@code torch.load(..., weights_only=True)} accepts them), safetensors, TorchScript
 * archives (read and rewritten, never run here) and waifu2x's original JSON models. No Spark, no DJL.
 */
package org.dnispark.formats;
