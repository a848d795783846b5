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

import org.apache.hadoop.conf.Configuration;

import org.dnispark.ncnn.NcnnModel;

/**
 * Finds and reads models by reference: a path relative to the local model cache, or an absolute URI. Records the
 * SHA-256 of every file read for the provenance manifest. Never downloads: a missing model names the command that
 * fills the cache.
 */
public final class ModelStore {
    private final String cacheDir;
    private final Configuration conf;

    public ModelStore(String cacheDir, Configuration conf) {
        this.cacheDir = cacheDir;
        this.conf = conf;
    }

    /** A model read from storage, with where it came from and the digests of its files. */
    public static final class LoadedModel {
        public final String reference;
        public final String paramUri;
        public final String binUri;
        public final String paramSha256;
        public final String binSha256;
        public final NcnnModel model;

        LoadedModel(String reference, String paramUri, String binUri, String paramSha256, String binSha256,
                NcnnModel model) {
            this.reference = reference;
            this.paramUri = paramUri;
            this.binUri = binUri;
            this.paramSha256 = paramSha256;
            this.binSha256 = binSha256;
            this.model = model;
        }
    }

    /** Resolves a reference to a URI prefix (without .param/.bin). */
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
        String prefix = resolve(reference);
        String paramUri = prefix + ".param";
        String binUri = prefix + ".bin";
        byte[] param = read(reference, paramUri);
        byte[] bin = read(reference, binUri);
        String label = prefix.substring(prefix.lastIndexOf('/') + 1);
        NcnnModel model;
        try {
            model = NcnnModel.read(new String(param, StandardCharsets.UTF_8), bin, label);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + reference + "' (" + prefix + ".param/.bin): "
                    + e.getMessage(), e);
        }
        return new LoadedModel(reference, paramUri, binUri, sha256(param), sha256(bin), model);
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
