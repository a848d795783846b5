package org.dnispark.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.dnispark.core.ModelWeights;
import org.dnispark.core.NamedTensor;

/**
 * The key layouts ESRGAN (RRDBNet) models are published in, and the exact renaming between each and the canonical
 * one ({@link RrdbNet} reads BasicSR's names, with {@code conv_upK} for K up-samplers). Values never change, only
 * names. The layout is read from the keys, and the hyper-parameters from the shapes, which must agree with the
 * keys. A file whose keys name one layout while its shapes describe another is refused, naming the key.
 *
 * <ul>
 *   <li>{@link #BASICSR}: {@code conv_first}, {@code body.N.rdbR.convC}, {@code conv_body}, {@code conv_upK},
 *       {@code conv_hr}, {@code conv_last} (BasicSR, Real-ESRGAN).</li>
 *   <li>{@link #ORIGINAL}: ESRGAN's first release ({@code architecture.py}, {@code RRDB_Net}), in which most
 *       community models are published: {@code model.0} (first conv), {@code model.1.sub.N.RDBR.convC.0} (the dense
 *       blocks), {@code model.1.sub.NB} (the trunk conv), then {@code model.3K} for each up-sampler and
 *       {@code model.3L+2}, {@code model.3L+4} for the two last convs (L up-samplers).</li>
 *   <li>{@link #XINNTAO}: ESRGAN's later {@code RRDBNet_arch.py}, also BSRGAN's and RealSR's: {@code conv_first},
 *       {@code RRDB_trunk.N.RDBR.convC}, {@code trunk_conv}, {@code upconvK}, {@code HRconv}, {@code conv_last}.</li>
 * </ul>
 * ESRGAN+ models (original layout) add {@code model.1.sub.N.RDBR.conv1x1.weight} to every dense block, canonically
 * {@code body.N.rdbR.conv1x1.weight}.
 */
public enum EsrganLayout {
    BASICSR("basicsr"), ORIGINAL("esrgan"), XINNTAO("xinntao");

    /** The name used in settings ({@code dni.interpolate.layout}) and provenance. */
    private final String id;

    EsrganLayout(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The layout named {@code id}; an error listing the names otherwise. */
    public static EsrganLayout named(String id) {
        for (EsrganLayout l : values()) {
            if (l.id.equals(id.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("ESRGAN layout '" + id + "': expected one of " + Arrays.stream(values())
                .map(EsrganLayout::id).toList());
    }

    /** A model in its canonical names, and the layout its file used. */
    public record Canonical(EsrganLayout layout, ModelWeights weights) {
    }

    private static final Pattern ORIGINAL_DENSE = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.RDB([123])\\.conv([1-5])"
            + "\\.0\\.(weight|bias)");
    private static final Pattern ORIGINAL_PLUS = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.RDB([123])\\.conv1x1"
            + "\\.weight");
    private static final Pattern ORIGINAL_TRUNK = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.(weight|bias)");
    private static final Pattern ORIGINAL_TOP = Pattern.compile("model\\.(\\d+)\\.(weight|bias)");
    private static final Pattern XINNTAO_DENSE = Pattern.compile("RRDB_trunk\\.(\\d+)\\.RDB([123])\\.conv([1-5])\\."
            + "(weight|bias)");
    private static final Pattern XINNTAO_UP = Pattern.compile("upconv(\\d+)\\.(weight|bias)");

    /**
     * The canonical form of an ESRGAN model in any layout; null when the keys are not an ESRGAN layout's. An error
     * naming the key when they are, but a key or a shape does not fit the layout they name.
     */
    public static Canonical canonical(ModelWeights w) {
        EsrganLayout layout = w.contains("model.0.weight") && w.contains("model.1.sub.0.RDB1.conv1.0.weight") ? ORIGINAL
                : w.contains("RRDB_trunk.0.RDB1.conv1.weight") && w.contains("trunk_conv.weight") ? XINNTAO
                : w.contains("body.0.rdb1.conv1.weight") && w.contains("conv_first.weight") ? BASICSR : null;
        if (layout == null) {
            return null;
        }
        ModelWeights canonical = w;
        Map<String, String> names = Map.of();
        if (layout != BASICSR) {
            names = layout == ORIGINAL ? fromOriginal(w) : fromXinntao(w);
            List<NamedTensor> out = new ArrayList<>();
            for (NamedTensor t : w.tensors()) {
                out.add(renamed(t, names.get(t.name())));
            }
            canonical = new ModelWeights(w.label(), out);
        }
        checkShapes(canonical, names, layout);
        return new Canonical(layout, canonical);
    }

    /** {@code canonical} (RrdbNet's names) under this layout's names, in this layout's order. */
    public ModelWeights export(ModelWeights canonical) {
        if (this == BASICSR) {
            return canonical;
        }
        int blocks = blocks(canonical);
        int ups = upsamplers(canonical);
        List<NamedTensor> out = new ArrayList<>();
        for (NamedTensor t : canonical.tensors()) {
            String name = nameOf(t.name(), blocks, ups);
            if (name == null) {
                throw new IllegalArgumentException(canonical.label() + ": tensor " + t.name() + " has no name in the "
                        + id + " layout");
            }
            out.add(renamed(t, name));
        }
        // the layout's own order: ORIGINAL sorts by the model.N index, as ESRGAN's state dicts are
        if (this == ORIGINAL) {
            out.sort(java.util.Comparator.comparingInt(t -> Integer.parseInt(t.name().split("\\.")[1])));
        }
        return new ModelWeights(canonical.label(), out);
    }

    /**
     * {@code weights} (canonical keys) under the names of the layout called {@code layoutId}, or as they are when it
     * is empty; an error naming {@code setting} when the weights are not an ESRGAN model's.
     */
    public static ModelWeights inLayout(ModelWeights weights, String layoutId, String setting) {
        if (layoutId.isEmpty()) {
            return weights;
        }
        Canonical c = canonical(weights);
        if (c == null) {
            throw new IllegalArgumentException(setting + " = " + layoutId + ": key layouts apply to ESRGAN (RRDBNet) "
                    + "models, and this one is not");
        }
        return named(layoutId).export(c.weights());
    }

    private static final Pattern CANONICAL_DENSE = Pattern.compile("body\\.(\\d+)\\.rdb([123])\\.conv([1-5]|1x1)\\."
            + "(weight|bias)");
    private static final Pattern CANONICAL_UP = Pattern.compile("conv_up(\\d+)\\.(weight|bias)");

    /** The name this layout gives the canonical key {@code key} of a model with these counts; null when none. */
    private String nameOf(String key, int blocks, int ups) {
        Matcher m;
        boolean original = this == ORIGINAL;
        if ((m = CANONICAL_DENSE.matcher(key)).matches()) {
            boolean oneByOne = m.group(3).equals("1x1");
            if (oneByOne && !original) {
                return null; // ESRGAN+'s 1x1 convs exist in the original layout only
            }
            return (original ? "model.1.sub." : "RRDB_trunk.") + m.group(1) + ".RDB" + m.group(2) + ".conv" + m.group(3)
                    + (original && !oneByOne ? ".0." : ".") + m.group(4);
        }
        if ((m = CANONICAL_UP.matcher(key)).matches()) {
            return (original ? "model." + 3 * Integer.parseInt(m.group(1)) : "upconv" + m.group(1)) + "." + m.group(2);
        }
        int dot = key.lastIndexOf('.');
        String layer = key.substring(0, dot);
        String part = key.substring(dot);
        return switch (layer) {
            case "conv_first" -> (original ? "model.0" : "conv_first") + part;
            case "conv_body" -> (original ? "model.1.sub." + blocks : "trunk_conv") + part;
            case "conv_hr" -> (original ? "model." + (3 * ups + 2) : "HRconv") + part;
            case "conv_last" -> (original ? "model." + (3 * ups + 4) : "conv_last") + part;
            default -> null;
        };
    }

    static int blocks(ModelWeights canonical) {
        int blocks = 0;
        while (canonical.contains("body." + blocks + ".rdb1.conv1.weight")) {
            blocks++;
        }
        return blocks;
    }

    static int upsamplers(ModelWeights canonical) {
        int ups = 0;
        while (canonical.contains("conv_up" + (ups + 1) + ".weight")) {
            ups++;
        }
        return ups;
    }

    private static NamedTensor renamed(NamedTensor t, String name) {
        return t.dtype().isFloating() ? NamedTensor.ofFloats(name, t.shape(), t.dtype(), t.floatValues())
                : NamedTensor.ofLongs(name, t.shape(), t.dtype(), t.longValues());
    }

    private static IllegalArgumentException stray(ModelWeights w, String key, EsrganLayout layout) {
        return new IllegalArgumentException(w.label() + ": key " + key + " does not belong to an ESRGAN model in the "
                + layout.id + " layout (its other keys are that layout's)");
    }

    /** ESRGAN's first layout: model.0, model.1.sub.N..., model.1.sub.NB, model.3K up-samplers, then two convs. */
    private static Map<String, String> fromOriginal(ModelWeights w) {
        int blocks = 0;
        while (w.contains("model.1.sub." + blocks + ".RDB1.conv1.0.weight")) {
            blocks++;
        }
        List<Integer> top = new ArrayList<>();
        for (NamedTensor t : w.tensors()) {
            Matcher m = ORIGINAL_TOP.matcher(t.name());
            if (m.matches() && !top.contains(Integer.parseInt(m.group(1)))) {
                top.add(Integer.parseInt(m.group(1)));
            }
        }
        top.sort(null);
        // model.0, then up-samplers at 3, 6, ..., 3L, then 3L + 2 and 3L + 4
        int last = top.isEmpty() ? -1 : top.get(top.size() - 1);
        int ups = (last - 4) / 3;
        List<Integer> expected = new ArrayList<>(List.of(0));
        for (int k = 1; k <= ups; k++) {
            expected.add(3 * k);
        }
        expected.addAll(List.of(3 * ups + 2, 3 * ups + 4));
        if (last < 4 || (last - 4) % 3 != 0 || !top.equals(expected)) {
            throw new IllegalArgumentException(w.label() + ": ESRGAN (original layout) convolutions at model." + top
                    + "; expected model." + expected + " (model.0, one model.3K per x2 up-sampler, then the two last "
                    + "convolutions)");
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (NamedTensor t : w.tensors()) {
            String k = t.name();
            Matcher m;
            if ((m = ORIGINAL_DENSE.matcher(k)).matches()) {
                names.put(k, "body." + m.group(1) + ".rdb" + m.group(2) + ".conv" + m.group(3) + "." + m.group(4));
            } else if ((m = ORIGINAL_PLUS.matcher(k)).matches()) {
                names.put(k, "body." + m.group(1) + ".rdb" + m.group(2) + ".conv1x1.weight");
            } else if ((m = ORIGINAL_TRUNK.matcher(k)).matches() && Integer.parseInt(m.group(1)) == blocks) {
                names.put(k, "conv_body." + m.group(2));
            } else if ((m = ORIGINAL_TOP.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                String part = m.group(2);
                names.put(k, i == 0 ? "conv_first." + part : i == 3 * ups + 2 ? "conv_hr." + part
                        : i == 3 * ups + 4 ? "conv_last." + part : "conv_up" + i / 3 + "." + part);
            } else {
                throw stray(w, k, ORIGINAL);
            }
        }
        return names;
    }

    /** ESRGAN's later layout (BSRGAN, RealSR): RRDB_trunk, trunk_conv, upconvK, HRconv. */
    private static Map<String, String> fromXinntao(ModelWeights w) {
        Map<String, String> names = new LinkedHashMap<>();
        for (NamedTensor t : w.tensors()) {
            String k = t.name();
            Matcher m;
            if ((m = XINNTAO_DENSE.matcher(k)).matches()) {
                names.put(k, "body." + m.group(1) + ".rdb" + m.group(2) + ".conv" + m.group(3) + "." + m.group(4));
            } else if ((m = XINNTAO_UP.matcher(k)).matches()) {
                names.put(k, "conv_up" + m.group(1) + "." + m.group(2));
            } else if (k.startsWith("trunk_conv.")) {
                names.put(k, "conv_body" + k.substring("trunk_conv".length()));
            } else if (k.startsWith("HRconv.")) {
                names.put(k, "conv_hr" + k.substring("HRconv".length()));
            } else if (k.equals("conv_first.weight") || k.equals("conv_first.bias") || k.equals("conv_last.weight")
                    || k.equals("conv_last.bias")) {
                names.put(k, k);
            } else {
                throw stray(w, k, XINNTAO);
            }
        }
        return names;
    }

    /**
     * Every tensor has the shape its canonical name implies, given the first conv (features, input channels), the
     * first dense conv (growth channels) and the last conv (output channels); an error naming the file's key
     * otherwise ({@code names}: the file's key of each canonical one, empty when they are the same). Up-samplers are
     * numbered 1..L without gaps.
     */
    private static void checkShapes(ModelWeights c, Map<String, String> names, EsrganLayout layout) {
        String label = c.label();
        Map<String, String> original = new LinkedHashMap<>();
        names.forEach((from, to) -> original.put(to, from));
        for (String k : new String[] {"conv_first.weight", "conv_last.weight", "body.0.rdb1.conv1.weight",
                "conv_body.weight", "conv_hr.weight"}) {
            if (!c.contains(k)) {
                throw new IllegalArgumentException(label + ": ESRGAN model (" + layout.id + " layout) has no "
                        + external(k, layout));
            }
        }
        int nf = c.get("conv_first.weight").shape()[0];
        int in = c.get("conv_first.weight").shape()[1];
        int gc = c.get("body.0.rdb1.conv1.weight").shape()[0];
        int out = c.get("conv_last.weight").shape()[0];
        int blocks = blocks(c);
        int ups = upsamplers(c);
        boolean plus = c.contains("body.0.rdb1.conv1x1.weight");
        Map<String, int[]> expected = new LinkedHashMap<>();
        conv(expected, "conv_first", in, nf);
        for (int b = 0; b < blocks; b++) {
            for (int r = 1; r <= 3; r++) {
                if (plus) {
                    // ESRGAN+: a bias-free 1x1 conv of the block's input, added to x2
                    expected.put("body." + b + ".rdb" + r + ".conv1x1.weight", new int[] {gc, nf, 1, 1});
                }
                for (int k = 1; k <= 5; k++) {
                    conv(expected, "body." + b + ".rdb" + r + ".conv" + k, nf + (k - 1) * gc, k == 5 ? nf : gc);
                }
            }
        }
        conv(expected, "conv_body", nf, nf);
        for (int k = 1; k <= ups; k++) {
            conv(expected, "conv_up" + k, nf, nf);
        }
        conv(expected, "conv_hr", nf, nf);
        conv(expected, "conv_last", nf, out);
        for (NamedTensor t : c.tensors()) {
            int[] e = expected.get(t.name());
            String key = original.getOrDefault(t.name(), t.name());
            if (e == null) {
                throw new IllegalArgumentException(label + ": key " + key + " does not fit an ESRGAN model with "
                        + blocks + " blocks and " + ups + " up-samplers (" + layout.id + " layout)");
            }
            if (!Arrays.equals(e, t.shape())) {
                throw new IllegalArgumentException(label + ": key " + key + " has shape " + Arrays.toString(t.shape())
                        + ", but the " + layout.id + " layout's other shapes (num_feat " + nf + ", num_grow_ch " + gc
                        + ", " + in + " input and " + out + " output channels) make it " + Arrays.toString(e));
            }
        }
        if (expected.size() != c.tensorCount()) {
            List<String> missing = new ArrayList<>(expected.keySet());
            c.names().forEach(missing::remove);
            throw new IllegalArgumentException(label + ": ESRGAN model (" + layout.id + " layout) lacks "
                    + missing.stream().map(k -> external(k, layout)).limit(6).toList());
        }
    }

    /** A canonical key as a message names it: as it is, or as "BasicSR's X" for the other layouts. */
    private static String external(String canonicalKey, EsrganLayout layout) {
        return layout == BASICSR ? canonicalKey : "the tensor BasicSR calls " + canonicalKey;
    }

    private static void conv(Map<String, int[]> m, String name, int in, int out) {
        m.put(name + ".weight", new int[] {out, in, 3, 3});
        m.put(name + ".bias", new int[] {out});
    }
}
