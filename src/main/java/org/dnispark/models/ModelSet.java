package org.dnispark.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.dnispark.align.PermutationSpec;
import org.dnispark.align.WeightMatching;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.TorchScriptCode;
import org.dnispark.ncnn.NcnnGraph;
import org.dnispark.arch.ArchitectureRegistry;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TorchScriptNetwork;
import org.dnispark.results.ModelEntry;

/**
 * The models of one command, loaded once and checked together before any work: every command that reads models
 * (transition, sweep, interpolate, correlate) goes through here, so every one refuses the same mismatches. The
 * models must all carry the same kind of network (ncnn graphs, TorchScript modules or plain state dicts), ncnn
 * graphs must match layer for layer, and the tensors must agree in names, shapes and dtypes (every difference is
 * listed).
 */
public final class ModelSet {
    private final List<LoadedModel> models;
    private final boolean trustCode;
    /** What {@link #aligned} did to each model after the first, for manifests; empty when not aligned. */
    private final List<Map<String, Object>> alignment;
    private final List<WeightMatching.Result> alignmentResults;

    private ModelSet(List<LoadedModel> models, boolean trustCode, List<Map<String, Object>> alignment,
            List<WeightMatching.Result> alignmentResults) {
        this.models = List.copyOf(models);
        this.trustCode = trustCode;
        this.alignment = List.copyOf(alignment);
        this.alignmentResults = List.copyOf(alignmentResults);
    }

    /** Reads every reference through {@code store} and checks that the models can be interpolated. */
    public static ModelSet load(List<String> references, ModelStore store) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("no models to load");
        }
        List<LoadedModel> loaded = new ArrayList<>();
        for (String ref : references) {
            loaded.add(store.load(ref));
        }
        return of(loaded, store.policy().trustCode());
    }

    /** Checks models already read; {@code trustCode} is {@link ModelPolicy#trustCode()}. */
    public static ModelSet of(List<LoadedModel> loaded, boolean trustCode) {
        LoadedModel first = loaded.get(0);
        List<String> mixed = new ArrayList<>();
        for (LoadedModel m : loaded) {
            if (!m.kind().equals(first.kind())) {
                mixed.add("'" + m.reference() + "' (" + m.format() + ") is " + m.kind());
            }
        }
        if (!mixed.isEmpty()) {
            throw new IllegalArgumentException("model '" + first.reference() + "' (" + first.format() + ") is "
                    + first.kind() + " but " + String.join(", ", mixed) + "; models that mix an ncnn graph, a "
                    + "TorchScript module or a state dict cannot be interpolated: they must share one architecture");
        }
        if (first.graph() != null) {
            for (LoadedModel m : loaded.subList(1, loaded.size())) {
                first.graph().checkSameStructure(m.graph());
            }
        }
        if (first.onnx() != null) {
            for (LoadedModel m : loaded.subList(1, loaded.size())) {
                first.onnx().checkSameGraph(m.onnx());
            }
        }
        List<ModelWeights> weights = new ArrayList<>();
        loaded.forEach(m -> weights.add(m.weights()));
        Interpolation.checkCompatible(weights);
        return new ModelSet(loaded, trustCode, List.of(), List.of());
    }

    /**
     * Which hidden channels of the models' network can be permuted together: the built-in architecture's spec for
     * state dicts, the chain spec for ncnn graphs; refused for TorchScript modules, whose code is not read.
     */
    public PermutationSpec permutationSpec() {
        LoadedModel m = first();
        try {
            if (m.torchScript() != null) {
                throw new IllegalArgumentException("it is a TorchScript module, whose channel ties live in its code, "
                        + "which is not analysed; export its state dict to align it");
            }
            if (m.onnx() != null) {
                throw new IllegalArgumentException("it is an ONNX graph, whose channel ties are not analysed; align "
                        + "the models as state dicts of a built-in architecture, then export them");
            }
            return m.graph() != null ? ArchitectureRegistry.permutations(m.graph(), m.weights())
                    : ArchitectureRegistry.permutations(m.weights());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + m.reference() + "': " + e.getMessage(), e);
        }
    }

    /** Finds the order of one model's channels that lines it up with the reference. */
    @FunctionalInterface
    public interface Aligner {
        WeightMatching.Result align(ModelWeights reference, ModelWeights model, PermutationSpec spec);
    }

    /**
     * The same models with every model after the first permuted to line up with the first (weight matching, at most
     * {@code maxPasses} passes visiting the layers in an order seeded by {@code seed}); each computes what it computed
     * before.
     */
    public ModelSet aligned(int maxPasses, long seed) {
        return aligned("weight matching (Git Re-Basin), coordinate descent with exact linear assignment",
                (a, b, spec) -> WeightMatching.align(a, b, spec, maxPasses, seed));
    }

    /** The same models with every model after the first permuted by {@code aligner} ({@code method} names it). */
    public ModelSet aligned(String method, Aligner aligner) {
        PermutationSpec spec = permutationSpec();
        List<LoadedModel> out = new ArrayList<>(List.of(first()));
        List<Map<String, Object>> report = new ArrayList<>();
        List<WeightMatching.Result> results = new ArrayList<>();
        for (LoadedModel m : models.subList(1, models.size())) {
            WeightMatching.Result r = aligner.align(first().weights(), m.weights(), spec);
            results.add(r);
            out.add(m.withWeights(r.permutation().apply(m.weights())));
            Map<String, Object> e = describe(m.reference(), r);
            e.put("method", method);
            report.add(e);
        }
        return new ModelSet(out, trustCode, report, results);
    }

    /** One alignment's provenance: the permutation's digest, the objective before and after, the search's cost. */
    public static Map<String, Object> describe(String reference, WeightMatching.Result r) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("reference", reference);
        e.put("method", "weight matching (Git Re-Basin), coordinate descent with exact linear assignment");
        e.put("architecture", r.permutation().spec().architecture());
        e.put("groups", r.permutation().spec().groups().size());
        e.put("channels", r.permutation().spec().channelCount());
        e.put("moved_channels", r.permutation().movedChannels());
        e.put("permutation_sha256", r.permutation().digest());
        e.put("objective_before", r.objectiveBefore());
        e.put("objective_after", r.objectiveAfter());
        e.put("cosine_before", r.cosineBefore());
        e.put("cosine_after", r.cosineAfter());
        e.put("passes", r.passes());
        e.put("converged", r.converged());
        e.put("millis", r.millis());
        return e;
    }

    /** The alignment of each model after the first (empty when not aligned). */
    public List<WeightMatching.Result> alignmentResults() {
        return alignmentResults;
    }

    /** What alignment did to each model after the first (empty when the models were not aligned). */
    public List<Map<String, Object>> alignment() {
        return alignment;
    }

    public List<LoadedModel> models() {
        return models;
    }

    public LoadedModel first() {
        return models.get(0);
    }

    public int size() {
        return models.size();
    }

    public List<ModelWeights> weights() {
        List<ModelWeights> out = new ArrayList<>();
        models.forEach(m -> out.add(m.weights()));
        return out;
    }

    /** The ncnn graph the models share, or null for state dicts and TorchScript modules. */
    public NcnnGraph graph() {
        return first().graph();
    }

    /**
     * The network the models run in: an ncnn graph as written, a TorchScript module, or the built-in architecture
     * recognised from the state dict's keys and shapes. The error names the model.
     */
    public NetworkSpec network() {
        LoadedModel m = first();
        try {
            if (m.graph() != null) {
                return NetworkSpec.ncnn(m.graph());
            }
            if (m.torchScript() != null) {
                requireRunnable(m);
                return TorchScriptNetwork.spec(m.torchScript());
            }
            if (m.onnx() != null) {
                return org.dnispark.runtime.OnnxNetwork.spec(m.onnx());
            }
            return ArchitectureRegistry.detect(m.weights());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + m.reference() + "': " + e.getMessage(), e);
        }
    }

    /**
     * A TorchScript archive is code that libtorch runs with the job's rights, so it runs only when the user says
     * they trust it, and even then only when its code calls nothing but allowed tensor operators.
     */
    private void requireRunnable(LoadedModel m) {
        if (!trustCode) {
            throw new IllegalArgumentException("it is a TorchScript archive, whose code would run in this job with its "
                    + "rights (TorchScript can read and write files, for example with torch.from_file); refusing to "
                    + "run it. Set dni.trust-code = true only for archives you trust, or export the weights as a "
                    + "state dict or safetensors file (jobs/dni interpolate rewrites archives without running them)");
        }
        for (LoadedModel each : models) {
            List<String> refused = TorchScriptCode.refusals(each.torchScript().codeRecords());
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("model '" + each.reference() + "': its TorchScript code calls "
                        + String.join(", ", refused) + ", outside the operators allowed even with dni.trust-code "
                        + "(pure tensor arithmetic; no file, process or network access, no while loops)");
            }
        }
    }

    /** Every file the models were read from, model by model: the inputs a command's output must not replace. */
    public List<String> files() {
        return models.stream().flatMap(m -> m.files().keySet().stream()).toList();
    }

    /** Each model's content digest (the SHA-256 of its files in reading order): what a run's identity records. */
    public List<String> digests() {
        return models.stream().map(LoadedModel::digest).toList();
    }

    /** Reference, format, files with their SHA-256, tensor and parameter counts of every model, for manifests. */
    public List<ModelEntry> describe() {
        List<ModelEntry> out = new ArrayList<>();
        for (LoadedModel m : models) {
            List<ModelEntry.FileDigest> files = new ArrayList<>();
            m.files().forEach((uri, sha) -> files.add(new ModelEntry.FileDigest(uri, sha)));
            out.add(new ModelEntry(m.reference(), m.format(), files, m.weights().tensorCount(),
                    m.weights().parameterCount()));
        }
        return out;
    }
}
