package org.dnispark.formats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * waifu2x's original model format (Torch7 models exported to JSON, e.g. {@code waifu2x/models_rgb/*.json}): a list of
 * convolution layers, each with {@code nInputPlane}, {@code nOutputPlane}, {@code kW}, {@code kH}, a nested
 * {@code weight} array [out][in][kH][kW] and a {@code bias} array. Read as tensors {@code layer<i>.weight} and
 * {@code layer<i>.bias}; every declared size is checked against the arrays, and values must be finite numbers.
 */
public final class Waifu2xJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LAYERS = 1000;
    private static final int MAX_DIM = 65536;

    private Waifu2xJson() {
    }

    public static ModelWeights read(byte[] file, String source) {
        JsonNode root;
        try (JsonParser p = JSON.getFactory().createParser(file)) {
            root = JSON.readTree(p);
        } catch (IOException e) {
            throw new FormatException(source + ": not a waifu2x JSON model (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isArray() || root.isEmpty() || root.size() > MAX_LAYERS) {
            throw new FormatException(source + ": expected a JSON list of 1.." + MAX_LAYERS
                    + " convolution layers (waifu2x's models_rgb format)");
        }
        List<NamedTensor> tensors = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode layer = root.get(i);
            String where = source + ": layer " + i;
            int in = dim(layer, "nInputPlane", where);
            int out = dim(layer, "nOutputPlane", where);
            int kw = dim(layer, "kW", where);
            int kh = dim(layer, "kH", where);
            long count = (long) out * in * kh * kw;
            if (count > Integer.MAX_VALUE - 8) {
                throw new FormatException(where + ": " + out + "x" + in + "x" + kh + "x" + kw + " weights are too many");
            }
            float[] w = new float[(int) count];
            int[] pos = {0};
            flatten(layer.get("weight"), new int[] {out, in, kh, kw}, 0, w, pos, where + " weight");
            float[] b = new float[out];
            int[] bpos = {0};
            flatten(layer.get("bias"), new int[] {out}, 0, b, bpos, where + " bias");
            tensors.add(NamedTensor.ofFloats("layer" + i + ".weight", new int[] {out, in, kh, kw}, DType.FLOAT32, w));
            tensors.add(NamedTensor.ofFloats("layer" + i + ".bias", new int[] {out}, DType.FLOAT32, b));
        }
        return new ModelWeights(source, tensors);
    }

    private static int dim(JsonNode layer, String key, String where) {
        JsonNode n = layer == null ? null : layer.get(key);
        if (n == null || !n.isInt() || n.asInt() < 1 || n.asInt() > MAX_DIM) {
            throw new FormatException(where + ": '" + key + "' must be an integer in 1.." + MAX_DIM + ", got " + n);
        }
        return n.asInt();
    }

    /** Copies a nested array of the expected shape into {@code out}, checking every length and value. */
    private static void flatten(JsonNode node, int[] shape, int axis, float[] out, int[] pos, String where) {
        if (node == null || !node.isArray() || node.size() != shape[axis]) {
            throw new FormatException(where + ": expected " + shape[axis] + " entries on axis " + axis + ", got "
                    + (node == null ? "nothing" : node.isArray() ? node.size() + " entries" : node.getNodeType()));
        }
        for (JsonNode child : node) {
            if (axis + 1 < shape.length) {
                flatten(child, shape, axis + 1, out, pos, where);
            } else {
                if (!child.isNumber() || !Double.isFinite(child.asDouble())) {
                    throw new FormatException(where + ": value " + child + " at index " + pos[0]
                            + " is not a finite number");
                }
                out[pos[0]++] = (float) child.asDouble();
            }
        }
    }
}
