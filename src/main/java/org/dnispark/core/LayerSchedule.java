package org.dnispark.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Per-tensor coefficients for two models: tensor {@code t} becomes {@code (1 - a_t) * A_t + a_t * B_t}. The alphas
 * run linearly along the network's depth from {@code front} (its first layer) to {@code back} (its last); a rule
 * whose pattern matches a tensor's name then sets that tensor's alpha outright (the first matching rule wins).
 * {@code front == back} with no rules is plain DNI at that alpha.
 *
 * <p>A layer is the tensors sharing a name up to the last dot ({@code conv1.weight} and {@code conv1.bias}; a batch
 * norm's weight, bias and running statistics), in the order the model lists them, which for every format the
 * project reads is the order the network runs them. Layer {@code d} of {@code D} gets
 * {@code front + (back - front) * d / (D - 1)}.
 */
public record LayerSchedule(double front, double back, List<Rule> rules) implements Serializable {

    /**
     * A tensor-name pattern and the alpha it sets. Patterns are globs over the whole name: {@code *} matches any run
     * of characters (dots included) and {@code ?} one character; everything else is literal.
     */
    public record Rule(String pattern, double alpha) implements Serializable {
        public Rule {
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.isBlank()) {
                throw new IllegalArgumentException("a schedule rule needs a tensor-name pattern");
            }
        }

        public boolean matches(String tensor) {
            return regex(pattern).matcher(tensor).matches();
        }

        private static Pattern regex(String glob) {
            StringBuilder sb = new StringBuilder();
            for (char ch : glob.toCharArray()) {
                switch (ch) {
                    case '*' -> sb.append(".*");
                    case '?' -> sb.append('.');
                    default -> sb.append(Pattern.quote(String.valueOf(ch)));
                }
            }
            return Pattern.compile(sb.toString());
        }
    }

    public LayerSchedule {
        rules = List.copyOf(rules);
    }

    /** Plain DNI at {@code alpha}, with these rules on top. */
    public static LayerSchedule uniform(double alpha, List<Rule> rules) {
        return new LayerSchedule(alpha, alpha, rules);
    }

    /** Whether this is plain DNI at one alpha (every tensor the same). */
    public boolean isUniform() {
        return front == back && rules.isEmpty();
    }

    /** Every alpha the schedule can give (for validation: each must be allowed as a coefficient). */
    public List<Double> extremes() {
        List<Double> out = new ArrayList<>(List.of(front, back));
        rules.forEach(r -> out.add(r.alpha()));
        return out;
    }

    /** The layers of a model: name prefixes up to the last dot, in the model's order. */
    public static List<String> layers(ModelWeights model) {
        List<String> out = new ArrayList<>();
        for (String name : model.names()) {
            String layer = layerOf(name);
            if (!out.contains(layer)) {
                out.add(layer);
            }
        }
        return out;
    }

    static String layerOf(String tensor) {
        int dot = tensor.lastIndexOf('.');
        return dot < 0 ? tensor : tensor.substring(0, dot);
    }

    /** Each tensor's alpha, in the model's tensor order. */
    public Map<String, Double> alphas(ModelWeights model) {
        List<String> layers = layers(model);
        Map<String, Integer> depth = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            depth.put(layers.get(i), i);
        }
        int last = layers.size() - 1;
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : model.names()) {
            double a = depthAlpha(depth.get(layerOf(name)), last);
            for (Rule r : rules) {
                if (r.matches(name)) {
                    a = r.alpha();
                    break;
                }
            }
            out.put(name, a);
        }
        return out;
    }

    /** Layer {@code d} of {@code last + 1}: front to back, exact at both ends. */
    private double depthAlpha(int d, int last) {
        if (last == 0 || d == 0) {
            return front;
        }
        if (d == last) {
            return back;
        }
        return front + (back - front) * d / last;
    }

    /** Rules whose pattern matches no tensor of the model (a misspelt pattern should fail, not do nothing). */
    public List<String> unmatchedRules(ModelWeights model) {
        List<String> out = new ArrayList<>();
        for (Rule r : rules) {
            if (model.names().stream().noneMatch(r::matches)) {
                out.add(r.pattern());
            }
        }
        return out;
    }

    /**
     * "f0.2-b0.8" (front and back), "0.5" when they agree, with "-r2" for two rules: a label that is also a safe
     * file name (frames are named by it).
     */
    public String label() {
        String ends = front == back ? CoefficientPlan.format(front)
                : "f" + CoefficientPlan.format(front) + "-b" + CoefficientPlan.format(back);
        return rules.isEmpty() ? ends : ends + "-r" + rules.size();
    }

    /** For manifests: front, back, rules and the alpha of each layer of {@code model}. */
    public Map<String, Object> describe(ModelWeights model) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("front", front);
        d.put("back", back);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Rule r : rules) {
            rs.add(Map.of("tensors", r.pattern(), "alpha", r.alpha()));
        }
        d.put("rules", rs);
        if (model != null) {
            Map<String, Double> perTensor = alphas(model);
            Map<String, Object> perLayer = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : perTensor.entrySet()) {
                String layer = layerOf(e.getKey());
                Object previous = perLayer.get(layer);
                if (previous == null) {
                    perLayer.put(layer, e.getValue());
                } else if (!previous.equals(e.getValue())) {
                    // a rule split the layer: list its tensors one by one
                    perLayer.put(e.getKey(), e.getValue());
                }
            }
            d.put("alpha_by_layer", perLayer);
        }
        return d;
    }
}
