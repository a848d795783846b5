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
import org.dnispark.config.CommonSettings;
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

    /** {@code copy} or {@code bucket} with its arguments: positional ones, {@code --config FILE} and key=value. */
    static int main(String command, List<String> args) {
        List<String> positional = new java.util.ArrayList<>();
        List<String> options = new java.util.ArrayList<>();
        split(args, positional, options);
        try {
            Map<String, String> hadoop = hadoopSettings(options);
            return command.equals("copy") ? copy(positional, hadoop) : bucket(positional, hadoop);
        } catch (IllegalArgumentException e) {
            System.err.println(org.dnispark.config.Redaction.mask("dni: " + e.getMessage()));
            return 2;
        } catch (Exception e) {
            System.err.println(org.dnispark.config.Redaction.mask("dni: " + command + " failed: " + Main.rootMessage(e)));
            return 1;
        }
    }

    /** Splits arguments into positional ones and options ({@code --config FILE} and key=value). */
    static void split(List<String> args, List<String> positional, List<String> options) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") && i + 1 < args.size()) {
                options.add(a);
                options.add(args.get(++i));
            } else if (a.contains("=") && !a.substring(0, a.indexOf('=')).matches(".*[/:].*")) {
                // key=value (a URI such as s3a://b/x=1 has ':' or '/' before its first '=')
                options.add(a);
            } else {
                positional.add(a);
            }
        }
    }

    /** The Hadoop settings of {@code --config}/{@code key=value} arguments. */
    static Map<String, String> hadoopSettings(List<String> options) {
        return CommonSettings.hadoop(ConfigLoader.load(options));
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
