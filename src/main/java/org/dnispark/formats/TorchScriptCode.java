package org.dnispark.formats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check a trusted TorchScript archive still has to pass before libtorch runs it: every operator its serialized
 * code calls must be on an allow-list of pure tensor arithmetic, so that no archive can reach files, processes or
 * the network ({@code torch.from_file}, {@code torch.save}, custom {@code torch.ops} extensions), and loops that
 * need not end ({@code while}) are refused. The code is only read as text here, never run.
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
    private static final Pattern CALL = Pattern.compile("(?<![\\w.])(torch|ops)\\.([A-Za-z_][A-Za-z0-9_]*)"
            + "(?:\\.([A-Za-z_][A-Za-z0-9_]*))?");
    private static final Pattern LOOP = Pattern.compile("(?m)^\\s*while\\b");

    private TorchScriptCode() {
    }

    /** Every operator of the archive's code that is not allowed, and every {@code while} loop, by record. */
    public static List<String> refusals(Map<String, byte[]> codeRecords) {
        Set<String> refused = new TreeSet<>();
        for (Map.Entry<String, byte[]> r : codeRecords.entrySet()) {
            String text = new String(r.getValue(), StandardCharsets.UTF_8);
            Matcher m = CALL.matcher(text);
            while (m.find()) {
                String call = operator(m);
                if (call != null) {
                    refused.add(call + " (" + r.getKey() + ")");
                }
            }
            if (LOOP.matcher(text).find()) {
                refused.add("a while loop (" + r.getKey() + ")");
            }
        }
        return new ArrayList<>(refused);
    }

    /** The refused name of one match, or null when it is allowed. */
    private static String operator(Matcher m) {
        String root = m.group(1);
        String first = m.group(2);
        String second = m.group(3);
        if (root.equals("torch")) {
            if (first.equals("ops")) {
                return "torch.ops." + (second == null ? "" : second); // custom operator libraries: anything at all
            }
            if (second != null && (first.equals("nn") || first.equals("jit"))) {
                return null; // type names in annotations (torch.nn.Module); calls of them are the archive's own code
            }
            return ALLOWED.contains(first) ? null : "torch." + first;
        }
        if (first.equals("prim")) {
            return null; // interpreter primitives: casts, exceptions, tuple and list handling
        }
        if (first.equals("aten") && second != null) {
            return ALLOWED.contains(second) ? null : "ops.aten." + second;
        }
        return "ops." + first + (second == null ? "" : "." + second);
    }
}
