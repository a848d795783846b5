package org.dnispark.formats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The check a trusted TorchScript archive still has to pass before libtorch runs it. The serialized code is
 * tokenized as Python is (comments, strings in every quoting, line continuations, whitespace between a name and its
 * dot), never run, and then:
 * <ul>
 *   <li>every qualified name rooted at {@code torch} or {@code ops} must be an operator on an allow-list of pure
 *       tensor arithmetic, so that no archive reaches files, processes or the network ({@code torch.from_file},
 *       {@code torch.save}, custom {@code torch.ops} extensions); {@code torch} or {@code ops} used as a value (not
 *       followed by a name) is refused, as are Python's reflective built-ins ({@code getattr}, {@code eval}, ...);</li>
 *   <li>every loop must end on its own: {@code while} is refused, and {@code for} only iterates over a
 *       {@code range} whose bounds are integer literals (at most {@value #MAX_LITERAL}) or sizes
 *       ({@code torch.len}, {@code torch.size}, {@code torch.dim} of a name) combined by {@code torch.add},
 *       {@code sub}, {@code mul} and {@code floordiv}: the loop the serializer writes for
 *       {@code _verify_batch_size}, and nothing whose count a tensor's values decide.</li>
 * </ul>
 */
public final class TorchScriptCode {
    /** Operators ({@code torch.x} or {@code ops.aten.x}) an image-to-image network needs; nothing with side effects. */
    static final Set<String> ALLOWED = Set.of("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "_convolution", "convolution", "linear", "matmul", "mm", "bmm", "addmm", "batch_norm", "instance_norm",
            "layer_norm", "group_norm", "relu", "relu_", "leaky_relu", "leaky_relu_", "prelu", "gelu", "silu", "elu",
            "selu", "sigmoid", "tanh", "hardtanh", "hardtanh_", "clamp", "clamp_", "clamp_min", "clamp_max", "softmax",
            "log_softmax", "add", "add_", "sub", "sub_", "mul", "mul_", "div", "div_", "neg", "pow", "sqrt", "rsqrt",
            "exp", "log", "abs", "floor", "ceil", "round", "remainder", "floordiv", "fmod", "mean", "sum", "max",
            "min", "amax", "amin", "argmax", "cat", "stack", "chunk", "split", "narrow", "slice", "select", "view",
            "reshape", "flatten", "permute", "transpose", "contiguous", "unsqueeze", "squeeze", "expand", "repeat",
            "pixel_shuffle", "pixel_unshuffle", "upsample_nearest2d", "upsample_bilinear2d", "upsample_bicubic2d",
            "interpolate", "pad", "constant_pad_nd", "reflection_pad2d", "replication_pad2d", "max_pool2d",
            "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "dropout", "feature_dropout", "size", "dim",
            "len", "numel", "eq", "ne", "lt", "le", "gt", "ge", "format", "__is__", "__isnot__", "__not__",
            "__getitem__", "__contains__", "list", "append", "tensor", "to", "type_as", "detach", "clone", "zeros_like",
            "ones_like", "where", "masked_fill", "lerp", "addcmul", "einsum", "norm", "var", "std", "sign");
    /** Python built-ins that reach objects by name or run code: never in a network's forward pass. */
    static final Set<String> REFLECTIVE = Set.of("getattr", "setattr", "delattr", "__import__", "eval", "exec",
            "compile", "open", "globals", "locals", "vars", "__builtins__");
    /** The largest integer literal a loop bound may be. */
    static final long MAX_LITERAL = 1_000_000;
    private static final Set<String> SIZES = Set.of("len", "size", "dim");
    private static final Set<String> ARITHMETIC = Set.of("add", "sub", "mul", "floordiv");

    private TorchScriptCode() {
    }

    /** A token: a name, an integer literal, a string, or an operator character (sequence). */
    record Token(Kind kind, String text, int line) {
    }

    enum Kind {
        NAME, INT, NUMBER, STRING, OP
    }

    /** Every operator of the archive's code that is not allowed, every unbounded loop, by record. */
    public static List<String> refusals(Map<String, byte[]> codeRecords) {
        Set<String> refused = new TreeSet<>();
        for (Map.Entry<String, byte[]> r : codeRecords.entrySet()) {
            List<Token> tokens;
            try {
                tokens = tokenize(new String(r.getValue(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                refused.add(e.getMessage() + " (" + r.getKey() + ")");
                continue;
            }
            for (String why : check(tokens)) {
                refused.add(why + " (" + r.getKey() + ")");
            }
        }
        return new ArrayList<>(refused);
    }

    /** Python's tokens, as far as the check needs them; an unterminated string is an error. */
    static List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int line = 1;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == '\\' && i + 1 < n && (text.charAt(i + 1) == '\n' || text.charAt(i + 1) == '\r')) {
                i += 2; // a line continuation joins the lines
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || ((c == 'r' || c == 'b' || c == 'u' || c == 'f' || c == 'R'
                    || c == 'B') && i + 1 < n && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\''))) {
                int start = i;
                if (c != '"' && c != '\'') {
                    i++;
                }
                char q = text.charAt(i);
                boolean triple = i + 2 < n && text.charAt(i + 1) == q && text.charAt(i + 2) == q;
                i += triple ? 3 : 1;
                boolean closed = false;
                while (i < n) {
                    char d = text.charAt(i);
                    if (d == '\\') {
                        i += 2;
                        continue;
                    }
                    if (d == '\n') {
                        line++;
                        if (!triple) {
                            break;
                        }
                    }
                    if (d == q && (!triple || (i + 2 < n && text.charAt(i + 1) == q && text.charAt(i + 2) == q))) {
                        i += triple ? 3 : 1;
                        closed = true;
                        break;
                    }
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("an unterminated string at line " + line);
                }
                out.add(new Token(Kind.STRING, text.substring(start, Math.min(i, n)), line));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.NAME, text.substring(start, i), line));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                int start = i;
                boolean integer = true;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '.'
                        || text.charAt(i) == '_' || ((text.charAt(i) == '+' || text.charAt(i) == '-')
                        && (text.charAt(i - 1) == 'e' || text.charAt(i - 1) == 'E')))) {
                    if (!Character.isDigit(text.charAt(i))) {
                        integer = false;
                    }
                    i++;
                }
                out.add(new Token(integer ? Kind.INT : Kind.NUMBER, text.substring(start, i), line));
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                out.add(new Token(Kind.OP, "//", line));
                i += 2;
            } else {
                out.add(new Token(Kind.OP, String.valueOf(c), line));
                i++;
            }
        }
        return out;
    }

    /** What the tokens of one record do that is refused. */
    static List<String> check(List<Token> t) {
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.kind() != Kind.NAME) {
                continue;
            }
            boolean attribute = i > 0 && t.get(i - 1).text().equals(".") && t.get(i - 1).kind() == Kind.OP;
            if (attribute) {
                continue; // the tail of a chain already judged from its root (self.x, a.b)
            }
            String name = k.text();
            if (REFLECTIVE.contains(name)) {
                refused.add(name + " at line " + k.line());
            } else if (name.equals("while")) {
                refused.add("a while loop at line " + k.line());
            } else if (name.equals("for")) {
                String why = boundedFor(t, i);
                if (why != null) {
                    refused.add(why);
                }
            } else if (name.equals("torch") || name.equals("ops")) {
                List<String> chain = chain(t, i);
                String why = operator(chain);
                if (why != null) {
                    refused.add(why + " at line " + k.line());
                }
            }
        }
        return refused;
    }

    /** The qualified name starting at token {@code i}: {@code torch . nn . x} is [torch, nn, x]. */
    private static List<String> chain(List<Token> t, int i) {
        List<String> parts = new ArrayList<>(List.of(t.get(i).text()));
        int j = i + 1;
        while (j + 1 < t.size() && t.get(j).kind() == Kind.OP && t.get(j).text().equals(".")
                && t.get(j + 1).kind() == Kind.NAME) {
            parts.add(t.get(j + 1).text());
            j += 2;
        }
        return parts;
    }

    /** Why a qualified name rooted at torch or ops is refused, or null when it is allowed. */
    static String operator(List<String> chain) {
        String root = chain.get(0);
        if (chain.size() == 1) {
            return root + " used as a value";
        }
        String first = chain.get(1);
        String second = chain.size() > 2 ? chain.get(2) : null;
        if (root.equals("torch")) {
            if (first.equals("ops")) {
                return "torch.ops." + (second == null ? "" : second); // custom operator libraries: anything at all
            }
            if (second != null && (first.equals("nn") || first.equals("jit"))) {
                return null; // type names in annotations (torch.nn.Module); calls of them are the archive's own code
            }
            return ALLOWED.contains(first) && chain.size() == 2 ? null : "torch." + String.join(".",
                    chain.subList(1, chain.size()));
        }
        if (first.equals("prim")) {
            return null; // interpreter primitives: casts, exceptions, tuple and list handling
        }
        if (first.equals("aten") && second != null && chain.size() == 3) {
            return ALLOWED.contains(second) ? null : "ops.aten." + second;
        }
        return "ops." + String.join(".", chain.subList(1, chain.size()));
    }

    /**
     * Null when the {@code for} at token {@code i} iterates over a range of bounded arguments; else why not. The
     * target names run up to {@code in}; then {@code range (} arguments {@code ) :}.
     */
    private static String boundedFor(List<Token> t, int i) {
        int line = t.get(i).line();
        int j = i + 1;
        while (j < t.size() && !(t.get(j).kind() == Kind.NAME && t.get(j).text().equals("in"))) {
            j++;
        }
        if (j + 2 >= t.size() || !t.get(j + 1).text().equals("range") || !t.get(j + 2).text().equals("(")) {
            return "a for loop at line " + line + " that does not iterate over a range";
        }
        int[] pos = {j + 3};
        try {
            boundedExpression(t, pos);
            while (t.get(pos[0]).text().equals(",")) {
                pos[0]++;
                boundedExpression(t, pos);
            }
            if (!t.get(pos[0]).text().equals(")")) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return "a for loop at line " + line + " whose range is not bounded by literals and sizes";
        }
        return null;
    }

    /** expr := INT | - expr | torch.(len|size|dim)(NAME[, INT]) | torch.(add|sub|mul|floordiv)(expr, expr). */
    private static void boundedExpression(List<Token> t, int[] pos) {
        Token k = t.get(pos[0]);
        if (k.kind() == Kind.INT) {
            if (Long.parseLong(k.text().replace("_", "")) > MAX_LITERAL) {
                throw new IllegalArgumentException();
            }
            pos[0]++;
            return;
        }
        if (k.text().equals("-")) {
            pos[0]++;
            boundedExpression(t, pos);
            return;
        }
        if (!k.text().equals("torch") || !t.get(pos[0] + 1).text().equals(".") || !t.get(pos[0] + 3).text()
                .equals("(")) {
            throw new IllegalArgumentException();
        }
        String op = t.get(pos[0] + 2).text();
        pos[0] += 4;
        if (SIZES.contains(op)) {
            if (t.get(pos[0]).kind() != Kind.NAME) {
                throw new IllegalArgumentException();
            }
            pos[0]++;
            if (t.get(pos[0]).text().equals(",")) {
                pos[0]++;
                boundedExpression(t, pos);
            }
        } else if (ARITHMETIC.contains(op)) {
            boundedExpression(t, pos);
            if (!t.get(pos[0]).text().equals(",")) {
                throw new IllegalArgumentException();
            }
            pos[0]++;
            boundedExpression(t, pos);
        } else {
            throw new IllegalArgumentException();
        }
        if (!t.get(pos[0]).text().equals(")")) {
            throw new IllegalArgumentException();
        }
        pos[0]++;
    }
}
