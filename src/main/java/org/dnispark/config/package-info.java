/**
 * Configuration: loading HOCON ({@code reference.conf}, {@code --config} files, key=value overrides) and reading it,
 * through the one {@link org.dnispark.config.SettingsReader}, into immutable settings records validated before any
 * work: {@link org.dnispark.config.CommonSettings} (models, cache, interpolation, storage, output policy) and one type
 * per command ({@link org.dnispark.config.TransitionSettings}, {@link org.dnispark.config.SweepSettings},
 * {@link org.dnispark.config.InterpolateSettings}, {@link org.dnispark.config.CorrelateSettings}; the trainer's is
 * {@code train.TrainSettings}). Components marked {@link org.dnispark.provenance.Placement} say where a run goes;
 * every other one is part of its identity. No Spark, no DJL.
 */
package org.dnispark.config;
