package org.dnispark.models;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.ReadLimits;
import org.dnispark.formats.Safetensors;
import org.dnispark.formats.TorchScriptArchive;
import org.dnispark.formats.Waifu2xJson;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.provenance.Sha256;
import org.dnispark.storage.Storage;

/**
 * Finds and reads models by reference. The one rule for references: a URI with a scheme ({@code s3a://},
 * {@code file:}) or an absolute path is used as it is; a relative path is looked up under the working directory
 * first, then under the model cache. The format follows the name and content: {@code .pth}/{@code .pt}/{@code .ts}
 * (a TorchScript archive when it holds code, else a PyTorch state dict), {@code .safetensors}, {@code .onnx} (read as
 * data, run by ONNX Runtime), {@code .json}
 * (waifu2x's original JSON models), otherwise an ncnn prefix ({@code .param} + {@code .bin}). Records the SHA-256 of
 * every file read. Never downloads: a missing model names every place tried and the command that fills the cache.
 */
public final class ModelStore {
    private final String cacheDir;
    private final Configuration conf;
    private final ModelPolicy policy;

    public ModelStore(String cacheDir, Configuration conf, ModelPolicy policy) {
        this.cacheDir = cacheDir;
        this.conf = conf;
        this.policy = policy;
    }

    public ModelPolicy policy() {
        return policy;
    }

    /** Where a reference may be, in the order tried (for ncnn, prefixes without .param/.bin). */
    public List<String> candidates(String reference) {
        if (hasScheme(reference) || reference.startsWith("/")) {
            return List.of(reference);
        }
        Path cwd = Paths.get("").toAbsolutePath();
        return List.of(cwd.resolve(reference).normalize().toString(),
                Paths.get(cacheDir).toAbsolutePath().resolve(reference).normalize().toString());
    }

    /** The first candidate whose (first) file exists; null when none does. */
    String resolve(String reference) {
        for (String c : candidates(reference)) {
            if (Storage.exists(isSingleFile(c) ? c : c + ".param", conf)) {
                return c;
            }
        }
        return null;
    }

    private static boolean isSingleFile(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.endsWith(".pth") || lower.endsWith(".pt") || lower.endsWith(".ts") || lower.endsWith(".torchscript")
                || lower.endsWith(".safetensors") || lower.endsWith(".json") || isOnnx(uri);
    }

    /** Whether {@code uri} names an ONNX graph, which ONNX Runtime runs rather than the PyTorch engine. */
    public static boolean isOnnx(String uri) {
        return uri.toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    private static boolean hasScheme(String s) {
        try {
            URI u = new URI(s);
            return u.getScheme() != null && u.getScheme().length() > 1;
        } catch (Exception e) {
            return false;
        }
    }

    public LoadedModel load(String reference) {
        String uri = resolve(reference);
        if (uri == null) {
            throw notFound(reference);
        }
        try {
            LoadedModel m = readModel(reference, uri);
            if (m.weights().tensorCount() == 0) {
                throw new IllegalArgumentException("the model holds no tensors");
            }
            for (org.dnispark.core.NamedTensor t : m.weights().tensors()) {
                String bad = t.nonFinite();
                if (bad != null) {
                    throw new IllegalArgumentException("tensor " + t.name() + " " + bad + "; expected finite weights");
                }
            }
            return m;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("model '")) {
                throw e;
            }
            throw new IllegalArgumentException("model '" + reference + "' (" + uri + "): " + e.getMessage(), e);
        }
    }

    private LoadedModel readModel(String reference, String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        String label = uri.substring(uri.lastIndexOf('/') + 1);
        ReadLimits limits = policy.limits();
        Map<String, String> files = new LinkedHashMap<>();
        if (isSingleFile(uri)) {
            byte[] data = read(reference, uri);
            files.put(uri, Sha256.hex(data));
            if (lower.endsWith(".json")) {
                return new LoadedModel(reference, "waifu2x-json", files, Waifu2xJson.read(data, label), null, null);
            }
            if (isOnnx(uri)) {
                org.dnispark.formats.OnnxModel onnx = org.dnispark.formats.OnnxModel.read(data, label);
                return new LoadedModel(reference, "onnx", files, onnx.weights(), null, null, "", onnx);
            }
            if (lower.endsWith(".safetensors")) {
                return stateDict(reference, "safetensors", files, Safetensors.read(data, label).weights);
            }
            if (TorchScriptArchive.isTorchScript(data)) {
                TorchScriptArchive ts = TorchScriptArchive.read(data, label, limits);
                return new LoadedModel(reference, "torchscript", files, ts.weights(), null, ts);
            }
            return stateDict(reference, "pytorch", files, PyTorchCheckpoint.read(data, label, limits).weights);
        }
        byte[] param = read(reference, uri + ".param");
        byte[] bin = read(reference, uri + ".bin");
        files.put(uri + ".param", Sha256.hex(param));
        files.put(uri + ".bin", Sha256.hex(bin));
        NcnnModel model = NcnnModel.read(new String(param, StandardCharsets.UTF_8), bin, label);
        return new LoadedModel(reference, "ncnn", files, model.weights(), model.graph(), null);
    }

    /**
     * A state dict, renamed to its architecture's canonical keys when it is in another known layout (ESRGAN's
     * original or BSRGAN's), so that models in different layouts of one network interpolate.
     */
    private static LoadedModel stateDict(String reference, String format, Map<String, String> files,
            org.dnispark.core.ModelWeights weights) {
        org.dnispark.arch.EsrganLayout.Canonical c = org.dnispark.arch.EsrganLayout.canonical(weights);
        if (c == null || c.layout() == org.dnispark.arch.EsrganLayout.BASICSR) {
            return new LoadedModel(reference, format, files, weights, null, null);
        }
        return new LoadedModel(reference, format, files, c.weights(), null, null, c.layout().id());
    }

    private IllegalArgumentException notFound(String reference) {
        List<String> tried = new ArrayList<>();
        for (String c : candidates(reference)) {
            tried.add(isSingleFile(c) ? c : c + ".param");
        }
        if (tried.size() == 1) {
            return new IllegalArgumentException("model '" + reference + "': " + tried.get(0) + " not found");
        }
        return new IllegalArgumentException("model '" + reference + "': " + tried.get(1) + " not found, nor "
                + tried.get(0) + " (a relative reference is looked up under the working directory, then under the "
                + "model cache " + cacheDir + "); run jobs/fetch-models.sh to fill the model cache, or give dni.models "
                + "as absolute URIs");
    }

    private byte[] read(String reference, String uri) {
        try {
            return Storage.readAll(uri, conf, policy.limits().modelBytes(), "dni.limits.model-bytes");
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("model '" + reference + "': " + uri + " not found", e);
        } catch (IOException e) {
            throw new UncheckedIOException("model '" + reference + "': cannot read " + uri + ": " + e.getMessage(), e);
        }
    }
}
