package org.dnispark.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for PyTorch state dicts that never runs code: it interprets only the opcodes {@code torch.save}
 * emits and resolves only an allow-list of globals (OrderedDict, tensor and parameter rebuild functions, typed
 * storages). Any other global, such as {@code os.system} or {@code builtins.eval}, is an error naming it. Results
 * are plain Java values: String, Long, Double, Boolean, null, List (lists and tuples), Map, and the records below.
 */
final class RestrictedUnpickler {
    /** Globals a state dict needs; nothing else is ever resolved. */
    static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state", "torch.FloatStorage", "torch.HalfStorage",
            "torch.BFloat16Storage", "torch.DoubleStorage", "torch.LongStorage", "torch.IntStorage",
            "torch.ShortStorage", "torch.ByteStorage", "torch.CharStorage", "torch.BoolStorage");

    /** An allowed global (a callable or a storage type). */
    static final class Global {
        final String name;

        Global(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A storage reference from a persistent id: ('storage', type, key, location, numel). */
    static final class StorageRef {
        final String type;
        final String key;
        final long numel;

        StorageRef(String type, String key, long numel) {
            this.type = type;
            this.key = key;
            this.numel = numel;
        }
    }

    /** A tensor to rebuild from a storage: element offset, size and stride. */
    static final class TensorRef {
        final StorageRef storage;
        final long offset;
        final List<Object> size;
        final List<Object> stride;

        TensorRef(StorageRef storage, long offset, List<Object> size, List<Object> stride) {
            this.storage = storage;
            this.offset = offset;
            this.size = size;
            this.stride = stride;
        }
    }

    /** Lists that TorchScript pickles through helper functions; REDUCE returns the list argument unchanged. */
    static final Set<String> TORCHSCRIPT_LIST_BUILDERS = Set.of("torch.jit._pickle.build_intlist",
            "torch.jit._pickle.build_floatlist", "torch.jit._pickle.build_boollist",
            "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist");

    /**
     * A TorchScript module object: its class name and attributes (set by BUILD). Data only: the class is never
     * looked up or instantiated, and nothing of it runs here.
     */
    static final class ScriptObject extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
        final String className;

        ScriptObject(String className) {
            this.className = className;
        }
    }

    private static final Object MARK = new Object();
    private boolean torchScript;

    /** Accepts TorchScript module classes ({@code __torch__.*}) as opaque records, for TorchScript archives. */
    RestrictedUnpickler torchScriptMode() {
        this.torchScript = true;
        return this;
    }

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final ReadLimits limits;
    private long items;

    RestrictedUnpickler(byte[] data, String source, ReadLimits limits) {
        this(data, 0, source, limits);
    }

    /** Reads pickles one after another from {@code offset} (the legacy format is a sequence of them). */
    RestrictedUnpickler(byte[] data, int offset, String source, ReadLimits limits) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.in.position(offset);
        this.source = source;
        this.limits = limits;
    }

    /** Offset just after the last pickle read. */
    int position() {
        return in.position();
    }

    /** Clears the stack and memo between the pickles of one stream. */
    void reset() {
        stack.clear();
        marks.clear();
        memo.clear();
    }

    private FormatException error(String what) {
        return new FormatException(source + ": " + what + " (pickle offset " + in.position() + ")");
    }

    private void need(int n) {
        if (in.remaining() < n) {
            throw error("truncated pickle: needs " + n + " more bytes");
        }
    }

    private int u8() {
        need(1);
        return in.get() & 0xff;
    }

    private String text(int len) {
        if (len < 0) {
            throw error("negative string length");
        }
        need(len);
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                throw error("GLOBAL name too long");
            }
            sb.append((char) c);
        }
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw error("pickle stack underflow");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw error("unexpected MARK");
        }
        return o;
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private void push(Object o) {
        count();
        stack.add(o);
    }

    /** Every value pushed and every memo entry counts against the object limit. */
    private void count() {
        if (++items > limits.pickleObjects()) {
            throw ReadLimits.exceeded(source, "the count of the pickle's values and memo entries", limits.pickleObjects(),
                    "pickle-objects");
        }
    }

    private void memoize(long key) {
        count();
        memo.put(key, top());
    }

    /**
     * Dict keys must be plain scalars, as a state dict's are: a container as a key would be hashed, and hashing a
     * self-referential or deeply shared list never ends.
     */
    private Object key(Object k) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double
                || k instanceof java.math.BigInteger) {
            return k;
        }
        throw error("a dict key is a " + describe(k) + "; expected a string or number");
    }

    private Object top() {
        if (stack.isEmpty()) {
            throw error("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private Global global(String module, String name) {
        String full = module + "." + name;
        if (torchScript && (module.equals("__torch__") || module.startsWith("__torch__.")
                || TORCHSCRIPT_LIST_BUILDERS.contains(full))) {
            return new Global(full);
        }
        if (!ALLOWED.contains(full)) {
            throw new FormatException(source + ": the pickle references the global '" + full + "', which a state "
                    + "dict never needs; refusing to load it (no input file may run code). Allowed: "
                    + new java.util.TreeSet<>(ALLOWED));
        }
        return new Global(full);
    }

    @SuppressWarnings("unchecked")
    Object load() {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80: // PROTO
                    u8();
                    break;
                case 0x95: // FRAME
                    need(8);
                    in.getLong();
                    break;
                case '.': { // STOP
                    Object root = pop();
                    checkStructure(root);
                    return root;
                }
                case '(':
                    marks.add(stack.size());
                    stack.add(MARK);
                    break;
                case ')':
                    push(Collections.unmodifiableList(new ArrayList<>()));
                    break;
                case 't':
                    push(Collections.unmodifiableList(popToMark()));
                    break;
                case 0x85:
                    push(wrap(pop()));
                    break;
                case 0x86: {
                    Object b = pop();
                    Object a = pop();
                    push(wrap(a, b));
                    break;
                }
                case 0x87: {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(wrap(a, b, c));
                    break;
                }
                case ']':
                    push(new ArrayList<>());
                    break;
                case 'l':
                    push(new ArrayList<>(popToMark()));
                    break;
                case 'a': {
                    Object v = pop();
                    appendable(top()).add(v);
                    break;
                }
                case 'e': {
                    List<Object> vs = popToMark();
                    appendable(top()).addAll(vs);
                    break;
                }
                case '}':
                    push(new LinkedHashMap<>());
                    break;
                case 'd': {
                    List<Object> kv = popToMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < kv.size(); i += 2) {
                        m.put(key(kv.get(i)), kv.get(i + 1));
                    }
                    push(m);
                    break;
                }
                case 's': {
                    Object v = pop();
                    Object k = pop();
                    asMap(top()).put(key(k), v);
                    break;
                }
                case 'u': {
                    List<Object> kv = popToMark();
                    Map<Object, Object> m = asMap(top());
                    for (int i = 0; i + 1 < kv.size(); i += 2) {
                        m.put(key(kv.get(i)), kv.get(i + 1));
                    }
                    break;
                }
                case 'N':
                    push(null);
                    break;
                case 0x88:
                    push(Boolean.TRUE);
                    break;
                case 0x89:
                    push(Boolean.FALSE);
                    break;
                case 'J':
                    need(4);
                    push((long) in.getInt());
                    break;
                case 'K':
                    push((long) u8());
                    break;
                case 'M':
                    need(2);
                    push((long) (in.getShort() & 0xffff));
                    break;
                case 0x8a: { // LONG1
                    int n = u8();
                    if (n > 8) {
                        // Only the legacy format's 10-byte magic number is this long.
                        if (n > 16) {
                            throw error("integer of " + n + " bytes is too large");
                        }
                        need(n);
                        byte[] le = new byte[n];
                        in.get(le);
                        byte[] be = new byte[n];
                        for (int i = 0; i < n; i++) {
                            be[i] = le[n - 1 - i];
                        }
                        push(new java.math.BigInteger(be));
                        break;
                    }
                    need(n);
                    long v = 0;
                    for (int i = 0; i < n; i++) {
                        v |= (long) (in.get() & 0xff) << (8 * i);
                    }
                    if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
                        v -= 1L << (8 * n); // sign extension
                    }
                    push(v);
                    break;
                }
                case 'G':
                    need(8);
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                    break;
                case 'X':
                    need(4);
                    push(text(in.getInt()));
                    break;
                case 0x8c:
                    push(text(u8()));
                    break;
                case 0x8d: {
                    need(8);
                    long n = in.getLong();
                    if (n > Integer.MAX_VALUE) {
                        throw error("string of " + n + " bytes");
                    }
                    push(text((int) n));
                    break;
                }
                case 'C': {
                    int n = u8();
                    need(n);
                    byte[] b = new byte[n];
                    in.get(b);
                    push(b);
                    break;
                }
                case 'B': {
                    need(4);
                    int n = in.getInt();
                    if (n < 0) {
                        throw error("negative byte length");
                    }
                    need(n);
                    byte[] b = new byte[n];
                    in.get(b);
                    push(b);
                    break;
                }
                case 'c': {
                    String module = line();
                    String name = line();
                    push(global(module, name));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw error("STACK_GLOBAL needs two strings");
                    }
                    push(global((String) module, (String) name));
                    break;
                }
                case 'Q': // BINPERSID
                    push(persistent(pop()));
                    break;
                case 'R': { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(call(callable, asList(args)));
                    break;
                }
                case 0x81: { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    push(call(cls, asList(args)));
                    break;
                }
                case 'b': { // BUILD: a TorchScript module's attributes; on a state dict its _metadata, ignored
                    Object state = pop();
                    if (!(top() instanceof Map)) {
                        throw error("BUILD on a " + describe(top()) + "; only dict state is accepted");
                    }
                    if (state != null && !(state instanceof Map)) {
                        throw error("BUILD with non-dict state");
                    }
                    if (top() instanceof ScriptObject && state != null) {
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
                            asMap(top()).put(key(e.getKey()), e.getValue());
                        }
                    }
                    break;
                }
                case 'q':
                    memoize(u8());
                    break;
                case 'r':
                    need(4);
                    memoize(in.getInt() & 0xffffffffL);
                    break;
                case 0x94:
                    memoize(memo.size());
                    break;
                case 'h':
                    push(memo(u8()));
                    break;
                case 'j':
                    need(4);
                    push(memo(in.getInt() & 0xffffffffL));
                    break;
                default:
                    throw error(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    /**
     * Refuses a structure that holds itself (any walk over it would never end) or nests deeper than the limit (a
     * recursive walk would overflow the stack). Iterative, and each shared container is visited once, so a small
     * file of references doubling a list costs its size, not two to the power of its depth.
     */
    private void checkStructure(Object root) {
        Map<Object, Boolean> state = new java.util.IdentityHashMap<>(); // false: on the current path; true: done
        List<Object> path = new ArrayList<>();
        List<java.util.Iterator<?>> children = new ArrayList<>();
        enter(root, state, path, children);
        while (!children.isEmpty()) {
            java.util.Iterator<?> it = children.get(children.size() - 1);
            if (!it.hasNext()) {
                state.put(path.remove(path.size() - 1), Boolean.TRUE);
                children.remove(children.size() - 1);
                continue;
            }
            Object child = it.next();
            Boolean s = child == null ? null : state.get(child);
            if (Boolean.FALSE.equals(s)) {
                throw error("the pickle holds a " + describe(child) + " that contains itself; expected plain nested "
                        + "data without cycles");
            }
            if (s == null) {
                enter(child, state, path, children);
            }
        }
    }

    private void enter(Object o, Map<Object, Boolean> state, List<Object> path, List<java.util.Iterator<?>> children) {
        java.util.Iterator<?> it;
        if (o instanceof Map) {
            it = ((Map<?, ?>) o).values().iterator();
        } else if (o instanceof List) {
            it = ((List<?>) o).iterator();
        } else if (o instanceof TensorRef) {
            it = List.of(((TensorRef) o).size, ((TensorRef) o).stride).iterator();
        } else {
            return;
        }
        if (path.size() >= limits.pickleDepth()) {
            throw ReadLimits.exceeded(source, "the pickle's nesting of more than " + path.size() + " containers",
                    limits.pickleDepth(), "pickle-depth");
        }
        state.put(o, Boolean.FALSE);
        path.add(o);
        children.add(it);
    }

    private Object memo(long key) {
        if (!memo.containsKey(key)) {
            throw error("memo key " + key + " is not defined");
        }
        return memo.get(key);
    }

    private static List<Object> wrap(Object... xs) {
        List<Object> l = new ArrayList<>();
        Collections.addAll(l, xs);
        return Collections.unmodifiableList(l);
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
        if (!(o instanceof List)) {
            throw error("expected a list or tuple, found " + describe(o));
        }
        return (List<Object>) o;
    }

    /** A list that APPEND may grow: tuples are immutable, as in Python. */
    @SuppressWarnings("unchecked")
    private List<Object> appendable(Object o) {
        if (!(o instanceof ArrayList)) {
            throw error("APPEND to a " + (o instanceof List ? "tuple" : describe(o)) + "; expected a list");
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (!(o instanceof Map)) {
            throw error("expected a dict, found " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private Object persistent(Object pid) {
        List<Object> t = asList(pid);
        if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global) || !(t.get(2) instanceof String)
                || !(t.get(4) instanceof Long)) {
            throw error("persistent id is not ('storage', type, key, location, numel)");
        }
        return new StorageRef(((Global) t.get(1)).name, (String) t.get(2), (Long) t.get(4));
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global)) {
            throw error("call of a " + describe(callable) + ", not an allowed global");
        }
        String name = ((Global) callable).name;
        switch (name) {
            case "collections.OrderedDict":
                if (!args.isEmpty()) {
                    throw error("OrderedDict with arguments");
                }
                return new LinkedHashMap<>();
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2": {
                if (args.size() < 4 || !(args.get(0) instanceof StorageRef) || !(args.get(1) instanceof Long)) {
                    throw error(name + " with unexpected arguments");
                }
                return new TensorRef((StorageRef) args.get(0), (Long) args.get(1), asList(args.get(2)),
                        asList(args.get(3)));
            }
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (args.isEmpty() || !(args.get(0) instanceof TensorRef)) {
                    throw error(name + " without a tensor");
                }
                return args.get(0);
            default:
                if (torchScript && TORCHSCRIPT_LIST_BUILDERS.contains(name)) {
                    return args.isEmpty() ? List.of() : args.get(0);
                }
                if (torchScript && name.startsWith("__torch__")) {
                    if (!args.isEmpty()) {
                        throw error("TorchScript class " + name + " constructed with arguments");
                    }
                    return new ScriptObject(name);
                }
                throw error("the global '" + name + "' cannot be called");
        }
    }
}
