/**
 * Weight file formats beyond ncnn: PyTorch {@code .pth} state dicts (read through a restricted unpickler that never
 * runs code, written so that {@code torch.load(..., weights_only=True)} accepts them), safetensors, TorchScript
 * archives (read and rewritten, never run here; {@link org.dnispark.formats.TorchScriptCode} is the operator
 * allow-list a trusted archive must still pass) and waifu2x's original JSON models. Every size a file declares is
 * checked against {@link org.dnispark.formats.ReadLimits} before it is allocated. No Spark, no DJL.
 */
package org.dnispark.formats;
