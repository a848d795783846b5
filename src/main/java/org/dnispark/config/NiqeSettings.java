package org.dnispark.config;

import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The niqe command: NIQE scores of images under a natural-scene model fitted on pristine photographs.
 *
 * @param pristine   {@code dni.niqe.pristine}: folders of pristine photographs the model is fitted on
 * @param images     {@code dni.niqe.images}: folders whose images are scored (each folder's files, not sub-folders)
 * @param extensions {@code dni.input.extensions}
 * @param output     {@code dni.niqe.output}: a CSV of folder, image and score, or empty to print the means only
 * @param hadoop     {@code dni.spark.hadoop}: storage settings for the URIs
 * @param maxPixels  {@code dni.niqe.max-pixels}: the largest image decoded, checked on its header first
 * @param ifExists   {@code dni.output.if-exists}, for the CSV and its manifest
 */
public record NiqeSettings(List<String> pristine, List<String> images, List<String> extensions,
        @org.dnispark.provenance.Placement String output, @org.dnispark.provenance.Placement Map<String, String> hadoop,
        long maxPixels, @org.dnispark.provenance.Placement org.dnispark.storage.RunOutput.Policy ifExists) {

    /** The manifest written beside the CSV, last: {@code scores.csv} gives {@code scores.json}. */
    public String manifest() {
        return (output.endsWith(".csv") ? output.substring(0, output.length() - 4) : output) + ".json";
    }

    public static NiqeSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            List<String> pristine = r.strings("dni.niqe.pristine");
            if (pristine.isEmpty()) {
                throw new SettingsException("dni.niqe.pristine", "at least one folder of pristine photographs", "[]");
            }
            List<String> images = r.strings("dni.niqe.images");
            if (images.isEmpty()) {
                throw new SettingsException("dni.niqe.images", "at least one folder of images to score", "[]");
            }
            return new NiqeSettings(List.copyOf(pristine), List.copyOf(images), r.strings("dni.input.extensions"),
                    r.string("dni.niqe.output"), CommonSettings.hadoop(r), r.longIn("dni.niqe.max-pixels", 1,
                            org.dnispark.image.ImageCodec.MAX_PIXELS), CommonSettings.ifExists(r));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
