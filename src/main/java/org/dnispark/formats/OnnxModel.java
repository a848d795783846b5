package org.dnispark.formats;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.dnispark.core.DType;
import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * An ONNX model read as data: its protobuf is decoded field by field here (no generated code, no ONNX library, nothing
 * executed), every declared length checked against the bytes that remain before anything is allocated for it. What
 * is kept: the operator sets, the nodes (operator, domain, inputs, outputs and their attributes' encoded bytes), the
 * graph's inputs and outputs, and the initializers. Floating initializers (float32, float16, bfloat16) are the model's
 * weights, interpolated like any state dict; every other initializer (shape constants, say) is part of the graph.
 *
 * <p>Refused, naming the file and what was found: an operator domain other than the standard one (custom operators
 * would need a library that this project never loads), external data (a tensor whose bytes live in a file the model
 * names), sparse initializers, model-local functions, truncated or overlong fields, and tensors whose declared size
 * does not match their data.
 *
 * <p>{@link #withWeights} writes the same model with new weights and metadata, every other byte of the file as it
 * was; {@link #skeleton()} is the model without its weights' data (what executors receive; the weights are broadcast
 * on their own).
 */
public final class OnnxModel implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The standard operator domain, under both of its names. */
    private static final Set<String> STANDARD_DOMAINS = Set.of("", "ai.onnx");
    private static final int MAX_DEPTH = 32;

    /** One node of the main graph, as compared between models. */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
            String attributes) implements Serializable {
        String describe() {
            return "'" + name + "' " + (domain.isEmpty() ? "" : domain + ".") + opType + " " + inputs + " -> "
                    + outputs + (attributes.isEmpty() ? "" : " {" + attributes + "}");
        }
    }

    private final String source;
    private final byte[] bytes;
    private final List<String> opsets;
    private final List<Node> nodes;
    private final List<String> graphInputs;
    private final List<String> graphOutputs;
    /** Non-floating initializers by name: their encoded TensorProto (compared byte for byte). */
    private final Map<String, String> constants;
    private final transient ModelWeights weights;

    private OnnxModel(String source, byte[] bytes, List<String> opsets, List<Node> nodes, List<String> graphInputs,
            List<String> graphOutputs, Map<String, String> constants, ModelWeights weights) {
        this.source = source;
        this.bytes = bytes;
        this.opsets = List.copyOf(opsets);
        this.nodes = List.copyOf(nodes);
        this.graphInputs = List.copyOf(graphInputs);
        this.graphOutputs = List.copyOf(graphOutputs);
        this.constants = constants;
        this.weights = weights;
    }

    public static OnnxModel read(byte[] data, String source) {
        Parse p = new Parse(source);
        p.model(new Reader(data, 0, data.length, source, "model"));
        if (p.nodes.isEmpty()) {
            throw new FormatException(source + ": an ONNX model without a graph (or with an empty one)");
        }
        return new OnnxModel(source, data, p.opsets, p.nodes, p.inputs, p.outputs, p.constants,
                new ModelWeights(source, p.weights));
    }

    public String source() {
        return source;
    }

    /** The floating initializers, in file order: what interpolation mixes. */
    public ModelWeights weights() {
        return weights;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<String> opsets() {
        return opsets;
    }

    /** Names of the graph's inputs that are not initializers (the image), in order. */
    public List<String> graphInputs() {
        return graphInputs;
    }

    public List<String> graphOutputs() {
        return graphOutputs;
    }

    /** The file as read. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Every way {@code other}'s graph differs from this one's (operator sets, graph inputs and outputs, each node's
     * operator, domain, inputs, outputs and attributes, non-floating initializers), empty when they are the same node
     * for node. Floating initializers are weights: their names and shapes are checked with the weights.
     */
    public List<String> differences(OnnxModel other) {
        List<String> out = new ArrayList<>();
        if (!opsets.equals(other.opsets)) {
            out.add("operator sets " + opsets + " vs " + other.opsets);
        }
        if (!graphInputs.equals(other.graphInputs) || !graphOutputs.equals(other.graphOutputs)) {
            out.add("graph inputs/outputs " + graphInputs + " -> " + graphOutputs + " vs " + other.graphInputs + " -> "
                    + other.graphOutputs);
        }
        if (nodes.size() != other.nodes.size()) {
            out.add(nodes.size() + " nodes vs " + other.nodes.size());
        }
        for (int i = 0; i < Math.min(nodes.size(), other.nodes.size()); i++) {
            Node a = nodes.get(i);
            Node b = other.nodes.get(i);
            if (!a.opType().equals(b.opType()) || !a.domain().equals(b.domain()) || !a.inputs().equals(b.inputs())
                    || !a.outputs().equals(b.outputs()) || !a.attributes().equals(b.attributes())) {
                out.add("node " + i + ": " + a.describe() + " vs " + b.describe());
            }
        }
        for (Map.Entry<String, String> c : constants.entrySet()) {
            String o = other.constants.get(c.getKey());
            if (!c.getValue().equals(o)) {
                out.add("constant initializer '" + c.getKey() + "' " + (o == null ? "missing" : "differs"));
            }
        }
        for (String k : other.constants.keySet()) {
            if (!constants.containsKey(k)) {
                out.add("constant initializer '" + k + "' only in " + other.source);
            }
        }
        return out;
    }

    /** Refuses models whose graphs differ, listing every difference. */
    public void checkSameGraph(OnnxModel other) {
        List<String> d = differences(other);
        if (!d.isEmpty()) {
            throw new IllegalArgumentException("ONNX graphs of '" + source + "' and '" + other.source + "' differ in "
                    + d.size() + " place(s), so their initializers cannot be interpolated: " + String.join("; ",
                            d.subList(0, Math.min(20, d.size()))) + (d.size() > 20 ? "; ..." : ""));
        }
    }

    /** The model without its weights' data: every floating initializer keeps its name, type and dims only. */
    public OnnxModel skeleton() {
        byte[] stripped = rewrite(bytes, null, Map.of());
        return new OnnxModel(source, stripped, opsets, nodes, graphInputs, graphOutputs, constants, null);
    }

    /**
     * This model (or its skeleton) with {@code w}'s tensors as its floating initializers, stored in each
     * initializer's own type, and {@code metadata} added to its metadata_props (replacing entries of the same key).
     */
    public byte[] withWeights(ModelWeights w, Map<String, String> metadata) {
        return rewrite(bytes, w, metadata);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // reading

    /** A bounded view of a protobuf message. */
    static final class Reader {
        final byte[] b;
        int pos;
        final int end;
        final String source;
        final String path;

        Reader(byte[] b, int pos, int end, String source, String path) {
            this.b = b;
            this.pos = pos;
            this.end = end;
            this.source = source;
            this.path = path;
        }

        boolean more() {
            return pos < end;
        }

        FormatException bad(String what) {
            return new FormatException(source + ": ONNX " + path + ": " + what);
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw bad("a varint runs past the end of its message (truncated file?)");
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw bad("a varint longer than 10 bytes");
        }

        int length(String field) {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw bad(field + " claims " + n + " bytes but only " + (end - pos) + " remain in its message");
            }
            return (int) n;
        }

        Reader message(String field) {
            int n = length(field);
            Reader r = new Reader(b, pos, pos + n, source, path + "." + field);
            pos += n;
            return r;
        }

        /** A repeated varint field, packed (wire type 2) or one value at a time, added to {@code into}. */
        void varints(int wire, String field, List<Long> into) {
            if (wire == 2) {
                Reader p = message(field);
                while (p.more()) {
                    into.add(p.varint());
                }
            } else {
                into.add(varint());
            }
        }

        String string(String field) {
            int n = length(field);
            String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void skip(int wire, String field) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> advance(8, field);
                case 2 -> {
                    int n = length(field); // first: "pos += length()" would add to pos as it was before the length
                    pos += n;
                }
                case 5 -> advance(4, field);
                default -> throw bad("field " + field + " has wire type " + wire + " (groups are not ONNX)");
            }
        }

        void advance(int n, String field) {
            if (end - pos < n) {
                throw bad(field + " needs " + n + " bytes but only " + (end - pos) + " remain");
            }
            pos += n;
        }
    }

    private static final class Parse {
        final String source;
        final List<String> opsets = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        final Map<String, String> constants = new LinkedHashMap<>();
        final List<NamedTensor> weights = new ArrayList<>();
        boolean sawGraph;

        Parse(String source) {
            this.source = source;
        }

        void model(Reader r) {
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (field) {
                    case 7 -> {
                        expect(r, wire, 2, "graph");
                        if (sawGraph) {
                            throw r.bad("two graphs");
                        }
                        sawGraph = true;
                        graph(r.message("graph"), true, 0);
                    }
                    case 8 -> {
                        expect(r, wire, 2, "opset_import");
                        opset(r.message("opset_import"));
                    }
                    case 25 -> throw r.bad("it defines model-local functions (ModelProto.functions); only standard "
                            + "operators are run");
                    default -> r.skip(wire, "field " + field);
                }
            }
            if (!sawGraph) {
                throw r.bad("no graph: not an ONNX model");
            }
        }

        void opset(Reader r) {
            String domain = "";
            long version = 0;
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                if (field == 1) {
                    expect(r, (int) (tag & 7), 2, "domain");
                    domain = r.string("domain");
                } else if (field == 2) {
                    version = r.varint();
                } else {
                    r.skip((int) (tag & 7), "field " + field);
                }
            }
            requireStandard(domain, r, "operator set import");
            opsets.add((domain.isEmpty() ? "ai.onnx" : domain) + ":" + version);
        }

        void requireStandard(String domain, Reader r, String where) {
            if (!STANDARD_DOMAINS.contains(domain)) {
                throw new FormatException(source + ": ONNX " + where + " uses operator domain '" + domain + "'; only "
                        + "the standard ONNX domain is run (custom operators would need a library, and none is ever "
                        + "loaded)");
            }
        }

        void graph(Reader r, boolean main, int depth) {
            if (depth > MAX_DEPTH) {
                throw r.bad("sub-graphs nested deeper than " + MAX_DEPTH);
            }
            List<String> initializerNames = new ArrayList<>();
            List<String> declaredInputs = new ArrayList<>();
            int nodeIndex = 0;
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (field) {
                    case 1 -> {
                        expect(r, wire, 2, "node");
                        Node n = node(r.message("node[" + nodeIndex++ + "]"), depth);
                        if (main) {
                            nodes.add(n);
                        }
                    }
                    case 5 -> {
                        expect(r, wire, 2, "initializer");
                        String name = initializer(r.message("initializer"), main);
                        initializerNames.add(name);
                    }
                    case 11 -> {
                        expect(r, wire, 2, "input");
                        declaredInputs.add(valueName(r.message("input")));
                    }
                    case 12 -> {
                        expect(r, wire, 2, "output");
                        String o = valueName(r.message("output"));
                        if (main) {
                            outputs.add(o);
                        }
                    }
                    case 15 -> throw r.bad("sparse initializers are not read");
                    default -> r.skip(wire, "field " + field);
                }
            }
            if (main) {
                for (String i : declaredInputs) {
                    if (!initializerNames.contains(i)) {
                        inputs.add(i);
                    }
                }
            }
        }

        String valueName(Reader r) {
            String name = "";
            while (r.more()) {
                long tag = r.varint();
                if (tag >>> 3 == 1) {
                    expect(r, (int) (tag & 7), 2, "name");
                    name = r.string("name");
                } else {
                    r.skip((int) (tag & 7), "field " + (tag >>> 3));
                }
            }
            return name;
        }

        Node node(Reader r, int depth) {
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            String name = "";
            String op = "";
            String domain = "";
            StringBuilder attributes = new StringBuilder();
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (field) {
                    case 1 -> in.add(r.string("input"));
                    case 2 -> out.add(r.string("output"));
                    case 3 -> name = r.string("name");
                    case 4 -> op = r.string("op_type");
                    case 7 -> domain = r.string("domain");
                    case 5 -> {
                        expect(r, wire, 2, "attribute");
                        Reader a = r.message("attribute");
                        int bodyStart = a.pos;
                        String attrName = attribute(a, depth);
                        if (attributes.length() > 0) {
                            attributes.append(", ");
                        }
                        attributes.append(attrName).append('#').append(digest(r.b, bodyStart, a.end));
                    }
                    default -> r.skip(wire, "field " + field);
                }
            }
            requireStandard(domain, r, "node '" + name + "' (" + op + ")");
            return new Node(name, op, domain, in, out, attributes.toString());
        }

        /** An attribute's name, after checking the sub-graphs it holds (If, Loop, Scan bodies). */
        String attribute(Reader r, int depth) {
            String name = "";
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                if (field == 1) {
                    name = r.string("name");
                } else if (field == 6 || field == 11) {
                    expect(r, wire, 2, "graph");
                    graph(r.message("attribute graph"), false, depth + 1);
                } else {
                    r.skip(wire, "field " + field);
                }
            }
            return name;
        }

        /** Reads one initializer; floating ones become weights, the others constants. Returns its name. */
        String initializer(Reader r, boolean main) {
            int start = r.pos;
            List<Long> dims = new ArrayList<>();
            int type = 0;
            String name = "";
            int rawStart = -1;
            int rawLength = 0;
            List<Float> floatData = new ArrayList<>();
            List<Long> int32Data = new ArrayList<>();
            boolean external = false;
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (field) {
                    case 1 -> r.varints(wire, "dims", dims);
                    case 2 -> type = (int) r.varint();
                    case 3 -> throw r.bad("initializer segments are not read");
                    case 4 -> {
                        if (wire == 2) {
                            Reader p = r.message("float_data");
                            if ((p.end - p.pos) % 4 != 0) {
                                throw p.bad("packed float_data of " + (p.end - p.pos) + " bytes (not a multiple of 4)");
                            }
                            ByteBuffer bb = ByteBuffer.wrap(p.b, p.pos, p.end - p.pos).order(ByteOrder.LITTLE_ENDIAN);
                            while (bb.hasRemaining()) {
                                floatData.add(bb.getFloat());
                            }
                        } else {
                            int at = r.pos;
                            r.advance(4, "float_data");
                            floatData.add(ByteBuffer.wrap(r.b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
                        }
                    }
                    case 5 -> r.varints(wire, "int32_data", int32Data);
                    case 8 -> name = r.string("name");
                    case 9 -> {
                        expect(r, wire, 2, "raw_data");
                        rawLength = r.length("raw_data of initializer '" + name + "'");
                        rawStart = r.pos;
                        r.pos += rawLength;
                    }
                    case 13 -> {
                        r.skip(wire, "external_data");
                        external = true;
                    }
                    case 14 -> external |= r.varint() == 1;
                    default -> r.skip(wire, "field " + field);
                }
            }
            if (external) {
                throw r.bad("initializer '" + name + "' keeps its data in an external file; only self-contained "
                        + "models are read (re-save with all tensors inside)");
            }
            if (!main) {
                return name;
            }
            DType dtype = switch (type) {
                case 1 -> DType.FLOAT32;
                case 10 -> DType.FLOAT16;
                case 16 -> DType.BFLOAT16;
                default -> null;
            };
            if (dtype == null) {
                constants.put(name, digest(r.b, start, r.end));
                return name;
            }
            int[] shape = new int[dims.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                long d = dims.get(i);
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw r.bad("initializer '" + name + "' has dimension " + d);
                }
                shape[i] = (int) d;
                count = Math.multiplyExact(count, Math.max(d, 1));
                if (d == 0) {
                    count = 0;
                }
            }
            if (rawStart >= 0) {
                long need = Math.multiplyExact(count, (long) dtype.byteSize());
                if (need != rawLength) {
                    throw r.bad("initializer '" + name + "' " + Arrays.toString(shape) + " of " + dtype + " needs "
                            + need + " bytes but its raw_data holds " + rawLength);
                }
                ByteBuffer data = ByteBuffer.wrap(r.b, rawStart, rawLength).slice();
                weights.add(TensorBytes.decode(name, dtype, shape, TensorBytes.contiguousStrides(shape), 0, data,
                        source));
                return name;
            }
            int held = dtype == DType.FLOAT32 ? floatData.size() : int32Data.size();
            if (held != count) {
                throw r.bad("initializer '" + name + "' " + Arrays.toString(shape) + " needs " + count + " values but "
                        + "holds " + held);
            }
            float[] values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = dtype == DType.FLOAT32 ? floatData.get(i) : dtype == DType.FLOAT16
                        ? org.dnispark.core.HalfFloats.halfToFloat((short) (long) int32Data.get(i))
                        : org.dnispark.core.HalfFloats.bfloat16ToFloat((short) (long) int32Data.get(i));
            }
            weights.add(NamedTensor.ofFloats(name, shape, dtype, values));
            return name;
        }

        static void expect(Reader r, int wire, int want, String field) {
            if (wire != want) {
                throw r.bad(field + " has wire type " + wire + ", expected " + want);
            }
        }
    }

    /** A short content digest of {@code b[from, to)}, for comparing encoded attributes and constants. */
    private static String digest(byte[] b, int from, int to) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(b, from, to - from);
            return java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writing

    /**
     * The model with its floating initializers replaced: by {@code w}'s tensor of the same name, or (when {@code w}
     * is null) by the initializer without data; metadata entries added. Every other field is copied as it was.
     */
    private static byte[] rewrite(byte[] model, ModelWeights w, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 1024);
        Reader r = new Reader(model, 0, model.length, "model", "model");
        while (r.more()) {
            int start = r.pos;
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 7 && wire == 2) {
                Reader g = r.message("graph");
                writeBytes(out, 7, graph(g, w));
            } else if (field == 14 && wire == 2) {
                int at = r.pos;
                Reader e = r.message("metadata_props");
                String key = metadataKey(e);
                if (!metadata.containsKey(key)) {
                    out.write(model, start, at - start + (e.end - at));
                }
            } else {
                r.skip(wire, "field " + field);
                out.write(model, start, r.pos - start);
            }
        }
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            writeBytes(entry, 1, m.getKey().getBytes(StandardCharsets.UTF_8));
            writeBytes(entry, 2, m.getValue().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, 14, entry.toByteArray());
        }
        return out.toByteArray();
    }

    private static String metadataKey(Reader e) {
        Reader copy = new Reader(e.b, e.pos, e.end, e.source, e.path);
        while (copy.more()) {
            long tag = copy.varint();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                return copy.string("key");
            }
            copy.skip((int) (tag & 7), "field");
        }
        return "";
    }

    private static byte[] graph(Reader g, ModelWeights w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(g.end - g.pos + 1024);
        while (g.more()) {
            int start = g.pos;
            long tag = g.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            g.skip(wire, "field " + field);
            if (field == 5 && wire == 2) {
                Reader t = new Reader(g.b, start, g.pos, g.source, "initializer");
                t.varint();
                Reader body = t.message("initializer");
                byte[] replaced = initializer(body, w);
                if (replaced != null) {
                    writeBytes(out, 5, replaced);
                    continue;
                }
            }
            out.write(g.b, start, g.pos - start);
        }
        return out.toByteArray();
    }

    /** A floating initializer re-encoded (dims, type, name, raw data from {@code w}); null to copy it as it is. */
    private static byte[] initializer(Reader t, ModelWeights w) {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = null;
        while (t.more()) {
            long tag = t.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1) {
                t.varints(wire, "dims", dims);
            } else if (field == 2) {
                type = (int) t.varint();
            } else if (field == 8) {
                name = t.string("name");
            } else {
                t.skip(wire, "field " + field);
            }
        }
        if (type != 1 && type != 10 && type != 16) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long d : dims) {
            writeVarint(out, 1 << 3);
            writeVarint(out, d);
        }
        writeVarint(out, 2 << 3);
        writeVarint(out, type);
        writeBytes(out, 8, name.getBytes(StandardCharsets.UTF_8));
        if (w != null) {
            NamedTensor v = w.get(name);
            if (v == null) {
                throw new IllegalArgumentException("weights '" + w.label() + "' have no tensor for ONNX initializer '"
                        + name + "'");
            }
            long count = 1;
            for (long d : dims) {
                count *= d;
            }
            if (v.size() != count) {
                throw new IllegalArgumentException("tensor " + name + " of '" + w.label() + "' has " + v.size()
                        + " values; the ONNX initializer " + dims + " needs " + count);
            }
            DType dtype = type == 1 ? DType.FLOAT32 : type == 10 ? DType.FLOAT16 : DType.BFLOAT16;
            NamedTensor typed = v.dtype() == dtype ? v : NamedTensor.ofFloats(name, v.shape(), dtype, v.floatValues());
            writeBytes(out, 9, TensorBytes.encode(typed));
        }
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void writeBytes(ByteArrayOutputStream out, int field, byte[] data) {
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, data.length);
        out.write(data, 0, data.length);
    }
}
