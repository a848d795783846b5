package org.dnispark.ncnn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed ncnn {@code .param} file: layers in file order (ncnn writes them topologically sorted) wired by blob
 * names. Parsing checks the magic number, the declared counts and that every consumed blob is produced earlier.
 */
public final class NcnnGraph implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int MAGIC = 7767517;

    private final String source;
    private final List<NcnnLayer> layers;

    private NcnnGraph(String source, List<NcnnLayer> layers) {
        this.source = source;
        this.layers = List.copyOf(layers);
    }

    public String source() {
        return source;
    }

    public List<NcnnLayer> layers() {
        return layers;
    }

    /** Parses {@code .param} text; {@code source} names the file in error messages. */
    public static NcnnGraph parse(String text, String source) {
        String[] lines = text.split("\r?\n");
        int li = 0;
        while (li < lines.length && lines[li].isBlank()) {
            li++;
        }
        if (li >= lines.length || !lines[li].trim().equals(Integer.toString(MAGIC))) {
            throw new NcnnFormatException(source + ": not an ncnn .param file: expected magic number " + MAGIC
                    + " on the first line, found '" + (li < lines.length ? abbreviate(lines[li]) : "") + "'");
        }
        li++;
        if (li >= lines.length) {
            throw new NcnnFormatException(source + ": missing 'layer_count blob_count' line");
        }
        String[] counts = lines[li].trim().split("\\s+");
        int layerCount;
        int blobCount;
        try {
            layerCount = Integer.parseInt(counts[0]);
            blobCount = Integer.parseInt(counts[1]);
        } catch (RuntimeException e) {
            throw new NcnnFormatException(source + " line " + (li + 1) + ": expected 'layer_count blob_count', found '"
                    + abbreviate(lines[li]) + "'");
        }
        if (layerCount <= 0 || blobCount <= 0 || layerCount > 100_000 || blobCount > 100_000) {
            throw new NcnnFormatException(source + ": implausible layer/blob counts " + layerCount + "/" + blobCount);
        }
        li++;
        List<NcnnLayer> layers = new ArrayList<>();
        Set<String> produced = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (; li < lines.length; li++) {
            String line = lines[li].trim();
            if (line.isEmpty()) {
                continue;
            }
            NcnnLayer layer = parseLayer(line, source, li + 1);
            if (!names.add(layer.name())) {
                throw new NcnnFormatException(source + " line " + (li + 1) + ": duplicate layer name '" + layer.name()
                        + "'");
            }
            for (String in : layer.inputs()) {
                if (!produced.contains(in)) {
                    throw new NcnnFormatException(source + " line " + (li + 1) + ": layer '" + layer.name()
                            + "' reads blob '" + in + "' that no earlier layer produces");
                }
            }
            for (String out : layer.outputs()) {
                if (!produced.add(out)) {
                    throw new NcnnFormatException(source + " line " + (li + 1) + ": blob '" + out
                            + "' is produced twice");
                }
            }
            layers.add(layer);
        }
        if (layers.size() != layerCount) {
            throw new NcnnFormatException(source + ": header declares " + layerCount + " layers but the file has "
                    + layers.size());
        }
        if (produced.size() != blobCount) {
            throw new NcnnFormatException(source + ": header declares " + blobCount + " blobs but the layers produce "
                    + produced.size());
        }
        return new NcnnGraph(source, layers);
    }

    private static NcnnLayer parseLayer(String line, String source, int lineNo) {
        String[] tok = line.split("\\s+");
        String where = source + " line " + lineNo;
        if (tok.length < 4) {
            throw new NcnnFormatException(where + ": expected 'type name n_in n_out blobs... k=v...', found '"
                    + abbreviate(line) + "'");
        }
        int nIn;
        int nOut;
        try {
            nIn = Integer.parseInt(tok[2]);
            nOut = Integer.parseInt(tok[3]);
        } catch (NumberFormatException e) {
            throw new NcnnFormatException(where + ": input/output counts are not integers in '" + abbreviate(line)
                    + "'");
        }
        if (nIn < 0 || nOut < 0 || 4 + nIn + nOut > tok.length) {
            throw new NcnnFormatException(where + ": layer '" + tok[1] + "' declares " + nIn + " inputs and " + nOut
                    + " outputs but the line has only " + (tok.length - 4) + " more fields");
        }
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < nIn; i++) {
            inputs.add(tok[4 + i]);
        }
        for (int i = 0; i < nOut; i++) {
            outputs.add(tok[4 + nIn + i]);
        }
        Map<Integer, String> scalars = new LinkedHashMap<>();
        Map<Integer, float[]> arrays = new HashMap<>();
        for (int i = 4 + nIn + nOut; i < tok.length; i++) {
            String kv = tok[i];
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new NcnnFormatException(where + ": parameter '" + kv + "' of layer '" + tok[1]
                        + "' is not of the form id=value");
            }
            int id;
            try {
                id = Integer.parseInt(kv.substring(0, eq));
            } catch (NumberFormatException e) {
                throw new NcnnFormatException(where + ": parameter id '" + kv.substring(0, eq) + "' of layer '"
                        + tok[1] + "' is not an integer");
            }
            String value = kv.substring(eq + 1);
            if (id <= -23300) {
                arrays.put(-id - 23300, parseArray(value, where, tok[1]));
            } else {
                scalars.put(id, value);
            }
        }
        return new NcnnLayer(tok[0], tok[1], inputs, outputs, scalars, arrays);
    }

    private static float[] parseArray(String value, String where, String layer) {
        String[] parts = value.split(",");
        try {
            int n = Integer.parseInt(parts[0]);
            if (n != parts.length - 1) {
                throw new NcnnFormatException(where + ": array parameter of layer '" + layer + "' declares " + n
                        + " values but has " + (parts.length - 1));
            }
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = Float.parseFloat(parts[i + 1]);
            }
            return out;
        } catch (NumberFormatException e) {
            throw new NcnnFormatException(where + ": array parameter '" + value + "' of layer '" + layer
                    + "' is not 'count,v1,v2,...'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Blobs produced but never consumed: the network's outputs, in production order. */
    public List<String> outputBlobs() {
        Map<String, Boolean> consumed = new LinkedHashMap<>();
        for (NcnnLayer l : layers) {
            for (String o : l.outputs()) {
                consumed.put(o, false);
            }
        }
        for (NcnnLayer l : layers) {
            for (String i : l.inputs()) {
                consumed.put(i, true);
            }
        }
        List<String> out = new ArrayList<>();
        consumed.forEach((k, v) -> {
            if (!v) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * Checks that two graphs match layer for layer (types and parameters; names may differ), the condition under
     * which ncnn models can be interpolated.
     */
    public void checkSameStructure(NcnnGraph other) {
        List<String> problems = new ArrayList<>();
        if (layers.size() != other.layers.size()) {
            problems.add(source + " has " + layers.size() + " layers, " + other.source + " has " + other.layers.size());
        }
        int n = Math.min(layers.size(), other.layers.size());
        for (int i = 0; i < n; i++) {
            NcnnLayer a = layers.get(i);
            NcnnLayer b = other.layers.get(i);
            String sa = a.signature();
            String sb = b.signature();
            // The Input layer's declared size is a hint only; ignore it.
            if (a.type().equals("Input") && b.type().equals("Input")) {
                continue;
            }
            if (!sa.equals(sb)) {
                problems.add("layer " + i + ": " + a + " [" + sa + "] vs " + b + " [" + sb + "]");
            }
        }
        if (!problems.isEmpty()) {
            throw new NcnnFormatException("ncnn graphs do not match layer for layer, so they cannot be interpolated:\n  - "
                    + String.join("\n  - ", problems));
        }
    }
}
