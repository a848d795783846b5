package org.dnispark.models;

import java.util.Map;

import org.dnispark.core.ModelWeights;
import org.dnispark.formats.TorchScriptArchive;
import org.dnispark.ncnn.NcnnGraph;

/**
 * A model read from storage.
 *
 * @param reference   the reference as configured
 * @param format      ncnn, pytorch, safetensors, torchscript, onnx or waifu2x-json
 * @param files       URI to SHA-256 of every file read, in reading order
 * @param weights     its tensors
 * @param graph       the network graph of an ncnn model; null for state dicts, which carry weights only
 * @param torchScript the archive of a TorchScript model (its own code); null otherwise
 * @param layout      the key layout of the file when its weights were renamed to the architecture's canonical names
 *                    on reading (ESRGAN's original or BSRGAN's, say: {@code runtime.EsrganLayout}); empty otherwise
 * @param onnx        the graph of an ONNX model, whose floating initializers are {@code weights}; null otherwise
 */
public record LoadedModel(String reference, String format, Map<String, String> files, ModelWeights weights,
        NcnnGraph graph, TorchScriptArchive torchScript, String layout, org.dnispark.formats.OnnxModel onnx) {
    public LoadedModel {
        files = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(files));
    }

    /** A model whose weights are under the names its file uses. */
    public LoadedModel(String reference, String format, Map<String, String> files, ModelWeights weights,
            NcnnGraph graph, TorchScriptArchive torchScript) {
        this(reference, format, files, weights, graph, torchScript, "", null);
    }

    /** A model whose weights were renamed from the file's {@code layout}. */
    public LoadedModel(String reference, String format, Map<String, String> files, ModelWeights weights,
            NcnnGraph graph, TorchScriptArchive torchScript, String layout) {
        this(reference, format, files, weights, graph, torchScript, layout, null);
    }

    /** The same model with other weights (aligned, say), everything else as it was. */
    public LoadedModel withWeights(ModelWeights w) {
        return new LoadedModel(reference, format, files, w, graph, torchScript, layout, onnx);
    }

    /** The digests of its files joined in reading order: what identifies the model's content. */
    public String digest() {
        return String.join(":", files.values());
    }

    /** What kind of network it carries: an ncnn graph, a TorchScript module, or a plain state dict. */
    public String kind() {
        return graph != null ? "an ncnn graph" : torchScript != null ? "a TorchScript module"
                : onnx != null ? "an ONNX graph" : "a state dict";
    }
}
