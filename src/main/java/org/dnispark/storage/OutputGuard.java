package org.dnispark.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one output guard of the commands that write files ({@code interpolate}, {@code align}, {@code correlate},
 * {@code niqe}, {@code train}): before anything is written, an output that is one of the command's inputs or holds
 * one (a folder output around an input) is refused, naming the setting, the output and the input. Comparison is on
 * qualified URIs, so {@code out/../a.pth}, {@code file:/x} and {@code /x} are the same file; URIs on different stores never
 * collide. (The Spark jobs' published folders have their own check, {@link RunOutput#refuseToReplaceInputs}.)
 */
public final class OutputGuard {
    private OutputGuard() {
    }

    /**
     * Refuses when any of {@code outputs} (the files a command will write) equals or holds any of {@code inputs}
     * (what it reads, by what they are: "model", "image folder", ...).
     */
    public static void refuseInputs(String key, List<String> outputs, Map<String, List<String>> inputs,
            Configuration conf) {
        List<String> clashes = new ArrayList<>();
        for (String out : outputs) {
            String o = qualified(out, conf);
            for (Map.Entry<String, List<String>> in : inputs.entrySet()) {
                for (String uri : in.getValue()) {
                    String i = qualified(uri, conf);
                    if (o.equals(i)) {
                        clashes.add(out + " is the " + in.getKey() + " " + uri);
                    } else if (i.startsWith(o + "/")) {
                        clashes.add(out + " holds the " + in.getKey() + " " + uri);
                    }
                }
            }
        }
        if (!clashes.isEmpty()) {
            throw new IllegalArgumentException(key + ": the output would replace or change this command's own "
                    + "input: " + String.join("; ", clashes) + ". Choose an output outside the inputs");
        }
    }

    private static String qualified(String uri, Configuration conf) {
        try {
            Path p = new Path(uri);
            FileSystem fs = p.getFileSystem(conf);
            return fs.makeQualified(p).toString().replaceAll("/+$", "");
        } catch (IOException | IllegalArgumentException e) {
            return uri.replaceAll("/+$", "");
        }
    }
}
