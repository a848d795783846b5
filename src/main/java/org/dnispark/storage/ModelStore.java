package org.dnispark.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.formats.TorchScriptArchive;
import org.dnispark.formats.Waifu2xJson;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.ncnn.NcnnModel;

/**
 * Finds and reads models by reference: a path relative to the local model cache, or an absolute URI. The format
 * follows the name and content: {@code .pth}/{@code .pt}/{@code .ts} (a TorchScript archive when it holds code, else
 * a PyTorch state dict), {@code .safetensors}, {@code .json} (waifu2x's original JSON models), otherwise an ncnn prefix ({@code .param} + {@code .bin}). Records the SHA-256 of every file read for the provenance manifest. Never
 * downloads: a missing model names the command that fills the cache.
 */
public final class ModelStore {
    private final String cacheDir;
    private final Configuration conf;

    public ModelStore(String cacheDir, Configuration conf) {
        this.cacheDir = cacheDir;
        this.conf = conf;
    }

    /** A model read from storage: its weights, its ncnn graph (ncnn models only) and the digests of its files. */
    public static final class LoadedModel {
        public final String reference;
        public final String format;
        /** URI to SHA-256, in reading order. */
        public final Map<String, String> files;
        public final ModelWeights weights;
        /** The network graph for ncnn models; null for state dicts, which carry weights only. */
        public final NcnnGraph graph;
        /** The archive of a TorchScript model (its own code); null otherwise. */
        public final TorchScriptArchive torchScript;

        LoadedModel(String reference, String format, Map<String, String> files, ModelWeights weights,
                NcnnGraph graph, TorchScriptArchive torchScript) {
            this.reference = reference;
            this.format = format;
            this.files = files;
            this.weights = weights;
            this.graph = graph;
            this.torchScript = torchScript;
        }
    }

    /** Resolves a reference to a URI (for ncnn, the prefix without .param/.bin). */
    public String resolve(String reference) {
        if (hasScheme(reference) || reference.startsWith("/")) {
            return reference;
        }
        return Paths.get(cacheDir).toAbsolutePath().resolve(reference).normalize().toString();
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
        String lower = uri.toLowerCase(Locale.ROOT);
        String label = uri.substring(uri.lastIndexOf('/') + 1);
        Map<String, String> files = new LinkedHashMap<>();
        try {
            if (lower.endsWith(".pth") || lower.endsWith(".pt") || lower.endsWith(".ts")
                    || lower.endsWith(".torchscript") || lower.endsWith(".safetensors") || lower.endsWith(".json")) {
                byte[] data = read(reference, uri);
                files.put(uri, sha256(data));
                if (lower.endsWith(".json")) {
                    return new LoadedModel(reference, "waifu2x-json", files, Waifu2xJson.read(data, label), null,
                            null);
                }
                if (lower.endsWith(".safetensors")) {
                    return new LoadedModel(reference, "safetensors", files, Safetensors.read(data, label).weights,
                            null, null);
                }
                if (TorchScriptArchive.isTorchScript(data)) {
                    TorchScriptArchive ts = TorchScriptArchive.read(data, label);
                    return new LoadedModel(reference, "torchscript", files, ts.weights(), null, ts);
                }
                return new LoadedModel(reference, "pytorch", files, PyTorchCheckpoint.read(data, label).weights, null,
                        null);
            }
            byte[] param = read(reference, uri + ".param");
            byte[] bin = read(reference, uri + ".bin");
            files.put(uri + ".param", sha256(param));
            files.put(uri + ".bin", sha256(bin));
            NcnnModel model = NcnnModel.read(new String(param, StandardCharsets.UTF_8), bin, label);
            return new LoadedModel(reference, "ncnn", files, model.weights(), model.graph(), null);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("model '")) {
                throw e;
            }
            throw new IllegalArgumentException("model '" + reference + "' (" + uri + "): " + e.getMessage(), e);
        }
    }

    private byte[] read(String reference, String uri) {
        try {
            return Storage.readAll(uri, conf);
        } catch (FileNotFoundException e) {
            boolean inCache = !hasScheme(reference) && !reference.startsWith("/");
            throw new IllegalArgumentException("model '" + reference + "': " + uri + " not found"
                    + (inCache ? "; run jobs/fetch-models.sh to fill the model cache (" + cacheDir
                            + "), or give dni.models as absolute URIs" : ""), e);
        } catch (IOException e) {
            throw new UncheckedIOException("model '" + reference + "': cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
