package org.dnispark.cli;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import org.dnispark.config.ConfigLoader;
import org.dnispark.config.SettingsException;
import org.dnispark.config.JobSettings;
import org.dnispark.storage.Storage;

/**
 * Small storage helpers for users and scripts, configured like the jobs ({@code dni.spark.hadoop}):
 * {@code copy SRC DST} copies a file or folder between any Hadoop URIs (local, s3a); {@code bucket NAME} creates an
 * S3 bucket through the S3 API (S3A never creates buckets), using {@code fs.s3a.endpoint}, region and path-style
 * settings and the standard AWS credential chain.
 */
final class StorageCommands {
    private StorageCommands() {
    }

    /** Splits {@code --config}/{@code key=value} arguments from positional ones and returns the Hadoop settings. */
    static Map<String, String> hadoopSettings(List<String> options) {
        return JobSettings.hadoopSettings(ConfigLoader.load(options));
    }

    static int copy(List<String> positional, Map<String, String> hadoop) throws IOException {
        if (positional.size() != 2) {
            throw new SettingsException("copy needs SRC and DST, got " + positional);
        }
        Configuration conf = Storage.configuration(hadoop);
        Path src = new Path(positional.get(0));
        Path dst = new Path(positional.get(1));
        FileSystem from = Storage.fs(src, conf);
        FileSystem to = Storage.fs(dst, conf);
        if (!from.exists(src)) {
            throw new SettingsException("copy: " + src + " does not exist");
        }
        if (!FileUtil.copy(from, src, to, dst, false, true, conf)) {
            throw new IOException("copy of " + src + " to " + dst + " failed");
        }
        System.out.println("copied " + src + " -> " + dst);
        return 0;
    }

    static int bucket(List<String> positional, Map<String, String> hadoop) {
        if (positional.size() != 1) {
            throw new SettingsException("bucket needs one bucket name, got " + positional);
        }
        String endpoint = hadoop.get("fs.s3a.endpoint");
        String region = hadoop.getOrDefault("fs.s3a.endpoint.region", "us-east-1");
        boolean pathStyle = Boolean.parseBoolean(hadoop.getOrDefault("fs.s3a.path.style.access", "false"));
        AwsCredentialsProvider credentials = hadoop.containsKey("fs.s3a.access.key")
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(hadoop.get("fs.s3a.access.key"),
                        hadoop.getOrDefault("fs.s3a.secret.key", "")))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder().region(Region.of(region)).credentialsProvider(credentials)
                .forcePathStyle(pathStyle);
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint));
        }
        try (S3Client s3 = builder.build()) {
            s3.createBucket(b -> b.bucket(positional.get(0)));
            System.out.println("created bucket " + positional.get(0));
        } catch (BucketAlreadyOwnedByYouException e) {
            System.out.println("bucket " + positional.get(0) + " already exists");
        }
        return 0;
    }
}
