package org.dnispark.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.InterpolateSettings;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.jobs.Alignments;
import org.dnispark.jobs.Renormaliser;
import org.dnispark.models.LoadedModel;
import org.dnispark.models.ModelSet;
import org.dnispark.models.ModelStore;
import org.dnispark.provenance.CommandRun;
import org.dnispark.provenance.PreviousRun;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.provenance.RunManifest;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni interpolate}: builds one interpolated model and writes it where PyTorch tools can take it back:
 * {@code <output>.safetensors}, {@code <output>.pth} (with the coefficients and source digests in their metadata),
 * and the run manifest {@code <output>.json}, written last. TorchScript sources also give
 * {@code <output>.torchscript.pt}; archives are rewritten, never run. ONNX sources also give {@code <output>.onnx}:
 * the first model's graph with the interpolated initializers and the provenance in its metadata_props
 * ({@code dni.metadata}). No Spark.
 */
final class InterpolateCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InterpolateCommand() {
    }

    static Map<String, Object> run(Config c) throws IOException {
        InterpolateSettings s = InterpolateSettings.from(c);
        Configuration conf = Storage.configuration(s.common().hadoop());
        String output = s.output();
        List<String> outputs = List.of(output + ".safetensors", output + ".pth", output + ".json");
        RunOutput.Policy policy = s.common().ifExists();
        CommandRun run = new CommandRun("interpolate", "dni.interpolate.output", output, policy, conf);
        if (policy == RunOutput.Policy.REFUSE) {
            PreviousRun.check(output + ".json", outputs, policy, null, "dni.interpolate.output", conf);
        }
        ModelSet models = ModelSet.load(s.common().models(), new ModelStore(s.common().modelCache(), conf, s.common().modelPolicy()));
        java.util.Map<String, List<String>> inputs = new java.util.LinkedHashMap<>();
        inputs.put("model", models.files());
        List<String> mayWrite = new java.util.ArrayList<>(outputs);
        mayWrite.add(output + ".torchscript.pt");
        mayWrite.add(output + ".onnx");
        RunIdentity identity = RunIdentity.builder("interpolate").settings(s).models(models.digests()).build();
        Map<String, Object> previous = run.begin(identity, outputs, outputs.get(2), mayWrite, inputs);
        if (previous != null) {
            return previous;
        }
        models = Alignments.apply(s.common().align(), models, null, Alignments.IMAGE_EXTENSIONS, conf);
        double[] coefficients = s.vector();
        Interpolation.Options options = s.common().interpolation();
        ModelWeights mix;
        Map<String, Object> renormalisation = null;
        if (s.renormaliseInputs() != null) {
            org.dnispark.runtime.Engines.configure(Math.max(1, Runtime.getRuntime().availableProcessors()));
            Renormaliser r = Renormaliser.prepare(s.common().renormalise(), null, Alignments.IMAGE_EXTENSIONS,
                    s.renormaliseInputs().degradation(), s.renormaliseInputs().seed(), models, models.network(),
                    options, conf);
            mix = r.build(coefficients);
            renormalisation = r.describe();
        } else {
            mix = Interpolation.interpolate(models.weights(), s.coefficient().get(0), options);
        }

        String layout = s.layout().isEmpty() ? models.first().layout() : s.layout();
        ModelWeights file = org.dnispark.arch.EsrganLayout.inLayout(mix, layout, "dni.interpolate.layout");
        Map<String, Object> meta = metadata(s, models, mix, identity.fingerprint());
        meta.put("layout", layout.isEmpty() ? "as read" : layout);
        Map<String, Object> schedule = s.coefficient().get(0).hasSchedule()
                ? s.coefficient().get(0).schedule().describe(models.weights().get(0)) : null;
        if (renormalisation != null) {
            meta.put("renormalisation", renormalisation);
        }
        String metaJson = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta);
        String archive = output.substring(output.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
        Storage.writeAtomically(outputs.get(0), Safetensors.write(file, Map.of("dni.metadata", JSON
                .writeValueAsString(meta))), conf);
        Storage.writeAtomically(outputs.get(1), PyTorchCheckpoint.write(file, archive.isEmpty() ? "archive" : archive,
                metaJson), conf);
        List<String> written = new ArrayList<>(outputs);
        LoadedModel first = models.first();
        if (first.torchScript() != null) {
            // TorchScript sources: also the interpolated module itself, loadable with torch.jit.load.
            String ts = output + ".torchscript.pt";
            Storage.writeAtomically(ts, first.torchScript().withWeights(mix), conf);
            written.add(ts);
        }
        if (first.onnx() != null) {
            String onnx = output + ".onnx";
            Storage.writeAtomically(onnx, first.onnx().withWeights(mix, Map.of("dni.metadata",
                    JSON.writeValueAsString(meta))), conf);
            written.add(onnx);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("outputs", written);
        summary.put("coefficients", coefficients);
        summary.put("tensors", mix.tensorCount());
        summary.put("parameters", mix.parameterCount());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("total_ms", run.elapsedMs());
        RunManifest manifest = run.manifest().models(models.describe())
                .detail("coefficients", coefficients).detail("schedule", schedule == null ? Map.of() : schedule)
                .detail("alpha_convention", ALPHA_CONVENTION)
                .detail("integer_buffers", options.integerRule().configName())
                .detail("alignment", models.alignment())
                .detail("renormalisation", renormalisation == null ? Map.of() : renormalisation).summary(summary).timings(timings)
                .config(JSON.readTree(s.common().renderedConfig())).build();
        run.publish(manifest);
        return summary;
    }

    static final String ALPHA_CONVENTION = "theta = (1 - alpha) * models[0] + alpha * models[1]";

    /** What the model files carry about themselves: coefficients, sources with their digests, counts. */
    private static Map<String, Object> metadata(InterpolateSettings s, ModelSet models, ModelWeights mix,
            String fingerprint) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("coefficients", s.vector());
        if (s.coefficient().get(0).hasAlpha()) {
            meta.put("alpha", s.coefficient().get(0).alpha());
        }
        if (s.coefficient().get(0).hasSchedule()) {
            // a file that says which alpha each layer got, so the export explains itself
            meta.put("schedule", s.coefficient().get(0).schedule().describe(models.weights().get(0)));
        }
        meta.put("alpha_convention", ALPHA_CONVENTION);
        List<Object> sources = new ArrayList<>();
        for (LoadedModel l : models.models()) {
            Map<String, Object> src = new LinkedHashMap<>();
            src.put("reference", l.reference());
            src.put("format", l.format());
            src.put("files", l.files());
            sources.add(src);
        }
        meta.put("sources", sources);
        meta.put("integer_buffers", s.common().interpolation().integerRule().configName());
        if (!models.alignment().isEmpty()) {
            meta.put("alignment", models.alignment());
        }
        meta.put("tensors", mix.tensorCount());
        meta.put("parameters", mix.parameterCount());
        meta.put("fingerprint", fingerprint);
        meta.put("created", Instant.now().toString());
        return meta;
    }
}
