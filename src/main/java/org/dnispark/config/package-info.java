/**
 * Configuration: loading HOCON (reference.conf, --config files, key=value overrides) and turning it into validated,
 * immutable {@link org.dnispark.config.JobSettings} before any Spark work. No Spark imports.
 */
package org.dnispark.config;
