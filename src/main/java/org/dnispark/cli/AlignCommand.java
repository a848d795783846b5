package org.dnispark.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.align.PermutationSpec;
import org.dnispark.align.WeightMatching;
import org.dnispark.config.AlignCommandSettings;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.jobs.Alignments;
import org.dnispark.models.LoadedModel;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.ncnn.NcnnModel;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.provenance.Sha256;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni align}: model B permuted (weight matching) to line up with the reference A, so that the two
 * interpolate as if one had been fine-tuned from the other. B' computes what B computes; only the order of its hidden
 * channels changes. State dicts are written as {@code <output>.safetensors} and {@code <output>.pth}, ncnn graphs as
 * {@code <output>.param} (B's, unchanged) and {@code <output>.bin}; {@code <output>.json}, written last, records the
 * permutation's digest, the objective before and after and the search's cost. No Spark.
 */
final class AlignCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlignCommand() {
    }

    static Map<String, Object> run(Config c) throws IOException {
        AlignCommandSettings s = AlignCommandSettings.from(c);
        Configuration conf = Storage.configuration(s.common().hadoop());
        String output = s.output();
        RunOutput.Policy policy = s.common().ifExists();
        CommandRun run = new CommandRun("align", "dni.align.output", output, policy, conf);
        ModelSet models = ModelSet.load(s.common().models(), new ModelStore(s.common().modelCache(), conf,
                s.common().modelPolicy()));
        LoadedModel a = models.models().get(0);
        LoadedModel b = models.models().get(1);
        List<String> outputs = b.graph() != null ? List.of(output + ".param", output + ".bin", output + ".json")
                : List.of(output + ".safetensors", output + ".pth", output + ".json");
        RunIdentity identity = RunIdentity.builder("align").settings(s).models(models.digests()).build();
        java.util.Map<String, List<String>> inputs = new java.util.LinkedHashMap<>();
        inputs.put("model", models.files());
        Map<String, Object> previous = run.begin(identity, outputs, outputs.get(2), outputs, inputs);
        if (previous != null) {
            return previous;
        }
        PermutationSpec spec = models.permutationSpec(); // refuses unsupported networks before any search
        ModelSet alignedSet = Alignments.apply(s.align(), models, null, Alignments.IMAGE_EXTENSIONS, conf);
        ModelWeights aligned = alignedSet.models().get(1).weights();
        WeightMatching.Result r = alignedSet.alignmentResults().get(0);
        Map<String, Object> alignment = alignedSet.alignment().get(0);
        alignment = new LinkedHashMap<>(alignment);
        alignment.put("reference_model", a.reference());
        alignment.put("objective_by_pass", r.objectiveByPass());

        if (b.graph() != null) {
            String paramUri = b.files().keySet().stream().filter(u -> u.endsWith(".param")).findFirst().orElseThrow();
            byte[] param = Storage.readAll(paramUri, conf, s.common().modelPolicy().limits().modelBytes(),
                    "dni.limits.model-bytes");
            if (!Sha256.hex(param).equals(b.files().get(paramUri))) {
                throw new IllegalStateException(paramUri + " changed while it was being aligned (its SHA-256 is no "
                        + "longer the one read); not writing " + output);
            }
            byte[] bin = NcnnModel.writeBin(b.graph(), aligned);
            // the written pair must read back as exactly the permuted weights
            ModelWeights back = NcnnModel.read(new String(param, StandardCharsets.UTF_8), bin, output).weights();
            if (!back.asMap().equals(aligned.asMap())) {
                throw new IllegalStateException("the aligned .bin of " + b.reference() + " does not read back as "
                        + "the permuted weights; not writing " + output);
            }
            Storage.writeAtomically(outputs.get(0), param, conf);
            Storage.writeAtomically(outputs.get(1), bin, conf);
        } else {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("aligned_from", b.reference());
            meta.put("source_files", b.files());
            meta.put("alignment", alignment);
            meta.put("fingerprint", identity.fingerprint());
            String metaJson = JSON.writeValueAsString(meta);
            String archive = output.substring(output.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
            // in the key layout of B's file (ESRGAN's original, say), so B' loads wherever B did
            ModelWeights file = org.dnispark.arch.EsrganLayout.inLayout(aligned, b.layout(), "the layout of " + b.reference());
            Storage.writeAtomically(outputs.get(0), Safetensors.write(file, Map.of("dni.metadata", metaJson)), conf);
            Storage.writeAtomically(outputs.get(1), PyTorchCheckpoint.write(file, archive.isEmpty() ? "archive"
                    : archive, metaJson), conf);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("outputs", outputs);
        summary.put("architecture", spec.architecture());
        summary.put("permutation_sha256", r.permutation().digest());
        summary.put("moved_channels", r.permutation().movedChannels());
        summary.put("channels", spec.channelCount());
        summary.put("cosine_before", r.cosineBefore());
        summary.put("cosine_after", r.cosineAfter());
        summary.put("passes", r.passes());
        summary.put("converged", r.converged());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("search_ms", r.millis());
        timings.put("total_ms", run.elapsedMs());
        List<Object> groups = new ArrayList<>();
        for (PermutationSpec.Group g : spec.groups()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("group", g.name());
            e.put("channels", g.size());
            e.put("order", r.permutation().order(g.name()));
            groups.add(e);
        }
        RunManifest manifest = run.manifest().models(models.describe())
                .detail("alignment", alignment).detail("permutation", groups).summary(summary).timings(timings)
                .config(JSON.readTree(s.common().renderedConfig())).build();
        run.publish(manifest);
        return summary;
    }
}
