package org.dnispark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;

import org.dnispark.image.DegradationStep;

/**
 * The images a transition or sweep reads and the synthetic degradation applied to them.
 *
 * @param images      {@code dni.input.images}: a folder URI
 * @param extensions  {@code dni.input.extensions}, lower case without the dot
 * @param recursive   {@code dni.input.recursive}: also images in sub-folders (named by their relative path)
 * @param glob        {@code dni.input.glob}: a Hadoop glob file names must match, or empty
 * @param degradation {@code dni.degradation}, in order
 */
public record ImageInputSettings(String images, List<String> extensions, boolean recursive, String glob,
        List<DegradationStep> degradation) {
    public ImageInputSettings {
        extensions = List.copyOf(extensions);
        degradation = List.copyOf(degradation);
    }

    public static ImageInputSettings read(SettingsReader r) {
        List<String> ext = new ArrayList<>();
        for (String e : r.strings("dni.input.extensions")) {
            ext.add(e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
        }
        return new ImageInputSettings(r.nonBlank("dni.input.images", "a folder URI of input images"), ext,
                r.bool("dni.input.recursive"), r.string("dni.input.glob"), degradation(r.config()));
    }

    /** {@code dni.degradation}, validated. */
    public static List<DegradationStep> degradation(Config c) {
        List<DegradationStep> steps = new ArrayList<>();
        List<? extends ConfigObject> list;
        try {
            list = c.getObjectList("dni.degradation");
        } catch (ConfigException.WrongType e) {
            throw new SettingsException("dni.degradation", "a list of steps such as [{type = jpeg, quality = 50}]",
                    c.getValue("dni.degradation").render());
        }
        for (int i = 0; i < list.size(); i++) {
            Config step = list.get(i).toConfig();
            String key = "dni.degradation[" + i + "]";
            if (!step.hasPath("type")) {
                throw new SettingsException(key + ".type", "bicubic-down, jpeg or gaussian-noise", "nothing");
            }
            SettingsReader s = new SettingsReader(step);
            try {
                switch (DegradationStep.Kind.parse(step.getString("type"))) {
                    case BICUBIC_DOWN -> {
                        onlyKeys(step, key, "type", "factor");
                        steps.add(DegradationStep.bicubicDown(step.hasPath("factor") ? s.intIn("factor", 0, 64) : 0));
                    }
                    case JPEG -> {
                        onlyKeys(step, key, "type", "quality");
                        steps.add(DegradationStep.jpeg(s.intIn("quality", 1, 100)));
                    }
                    default -> {
                        onlyKeys(step, key, "type", "sigma", "clip");
                        steps.add(DegradationStep.gaussianNoise(s.numberIn("sigma", 0, 1e6),
                                step.hasPath("clip") && s.bool("clip")));
                    }
                }
            } catch (SettingsException e) {
                throw new SettingsException(key + "." + e.getMessage());
            } catch (ConfigException | IllegalArgumentException e) {
                throw new SettingsException(key + ": " + e.getMessage());
            }
        }
        return steps;
    }

    private static void onlyKeys(Config step, String key, String... allowed) {
        for (String k : step.root().keySet()) {
            if (!List.of(allowed).contains(k)) {
                throw new SettingsException(key + "." + k + ": unknown key for this step; expected one of "
                        + List.of(allowed));
            }
        }
    }
}
