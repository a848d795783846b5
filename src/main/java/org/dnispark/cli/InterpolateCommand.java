package org.dnispark.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.SettingsException;
import org.dnispark.config.JobSettings;
import org.dnispark.core.Coefficients;
import org.dnispark.core.IntegerBufferRule;
import org.dnispark.core.Interpolation;
import org.dnispark.core.ModelWeights;
import org.dnispark.formats.PyTorchCheckpoint;
import org.dnispark.formats.Safetensors;
import org.dnispark.storage.ModelStore;
import org.dnispark.storage.Storage;

/**
 * {@code jobs/dni interpolate}: builds one interpolated model and writes it where PyTorch tools can take it back:
 * {@code <output>.safetensors}, {@code <output>.pth} and the provenance {@code <output>.json}. No Spark.
 */
final class InterpolateCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InterpolateCommand() {
    }

    static Map<String, Object> run(Config c) throws IOException {
        List<String> models;
        double[] coefficients;
        String output;
        boolean overwrite;
        Interpolation.Options options;
        String cache;
        try {
            models = c.getStringList("dni.models");
            if (models.size() < 2) {
                throw new SettingsException("dni.models", "at least two models", models);
            }
            List<? extends Number> vector = c.getNumberList("dni.interpolate.coefficients");
            boolean extrapolate = c.getBoolean("dni.interpolation.allow-extrapolation");
            if (!vector.isEmpty()) {
                coefficients = vector.stream().mapToDouble(Number::doubleValue).toArray();
            } else if (models.size() == 2) {
                coefficients = Coefficients.forAlpha(c.getDouble("dni.interpolate.alpha"));
            } else {
                throw new SettingsException("dni.interpolate.coefficients: " + models.size() + " models need an "
                        + "explicit coefficient vector");
            }
            try {
                Coefficients.validate(coefficients, models.size(), extrapolate);
            } catch (IllegalArgumentException e) {
                throw new SettingsException("dni.interpolate: " + e.getMessage());
            }
            output = c.getString("dni.interpolate.output").trim();
            if (output.isEmpty()) {
                throw new SettingsException("dni.interpolate.output", "an output URI prefix", "an empty string");
            }
            String policy = c.getString("dni.output.if-exists").toLowerCase(Locale.ROOT);
            overwrite = policy.equals("overwrite");
            options = new Interpolation.Options(extrapolate,
                    IntegerBufferRule.parse(c.getString("dni.interpolation.integer-buffers")));
            cache = JobSettings.modelCache(c);
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage());
        }
        Configuration conf = Storage.configuration(JobSettings.hadoopSettings(c));
        String[] outputs = {output + ".safetensors", output + ".pth", output + ".json"};
        for (String o : outputs) {
            if (!overwrite && Storage.exists(o, conf)) {
                throw new IllegalStateException("output " + o + " already exists; choose another dni.interpolate.output "
                        + "or set dni.output.if-exists = overwrite");
            }
        }
        ModelStore store = new ModelStore(cache, conf);
        List<ModelStore.LoadedModel> loaded = new ArrayList<>();
        List<ModelWeights> weights = new ArrayList<>();
        for (String m : models) {
            ModelStore.LoadedModel l = store.load(m);
            if (!loaded.isEmpty() && l.graph != null && loaded.get(0).graph != null) {
                loaded.get(0).graph.checkSameStructure(l.graph);
            }
            loaded.add(l);
            weights.add(l.weights);
        }
        ModelWeights mix = Interpolation.interpolate(weights, coefficients, options);

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("coefficients", coefficients);
        if (models.size() == 2) {
            meta.put("alpha", coefficients[1]);
        }
        meta.put("alpha_convention", "theta = (1 - alpha) * models[0] + alpha * models[1]");
        List<Object> sources = new ArrayList<>();
        for (ModelStore.LoadedModel l : loaded) {
            Map<String, Object> src = new LinkedHashMap<>();
            src.put("reference", l.reference);
            src.put("format", l.format);
            src.put("files", l.files);
            sources.add(src);
        }
        meta.put("sources", sources);
        meta.put("integer_buffers", options.integerRule().configName());
        meta.put("tensors", mix.tensorCount());
        meta.put("parameters", mix.parameterCount());
        meta.put("created", Instant.now().toString());
        meta.put("java", System.getProperty("java.version"));
        meta.put("dni_spark", String.valueOf(InterpolateCommand.class.getPackage().getImplementationVersion()));
        String metaJson = JSON.writeValueAsString(meta);
        Map<String, String> stMeta = new LinkedHashMap<>();
        stMeta.put("dni.metadata", new ObjectMapper().writeValueAsString(meta));
        String archive = output.substring(output.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
        Storage.writeAtomically(outputs[0], Safetensors.write(mix, stMeta), conf);
        Storage.writeAtomically(outputs[1], PyTorchCheckpoint.write(mix, archive.isEmpty() ? "archive" : archive,
                metaJson), conf);
        Storage.writeAtomically(outputs[2], metaJson.getBytes(java.nio.charset.StandardCharsets.UTF_8), conf);
        List<String> written = new ArrayList<>(List.of(outputs));
        if (loaded.get(0).torchScript != null) {
            // TorchScript sources: also the interpolated module itself, loadable with torch.jit.load.
            String ts = output + ".torchscript.pt";
            Storage.writeAtomically(ts, loaded.get(0).torchScript.withWeights(mix), conf);
            written.add(ts);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("outputs", written);
        summary.put("coefficients", coefficients);
        summary.put("tensors", mix.tensorCount());
        return summary;
    }
}
