package org.dnispark.report;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import org.dnispark.results.RunProvenance;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * One run's output folder as a report reads it: its {@code manifest.json} and its results ({@code summary.json} of a
 * sweep, the manifest's summary of a transition, {@code correlation.json} of correlate). A report may be made from
 * folders nobody vouches for, so they are read as untrusted data:
 * <ul>
 *   <li>only regular files inside the folder: a symbolic link anywhere below the folder (to a file or a folder, or a
 *       loop of them) is refused, naming it, and listings never follow one;</li>
 *   <li>every file with a size limit ({@value #MAX_JSON_BYTES} bytes for JSON), JSON only as data, images only
 *       through the decoder (re-encoded before they reach a page);</li>
 *   <li>every number in the JSON finite and within {@value #MAX_MAGNITUDE} in magnitude before anything is drawn,
 *       else the file and the field are named.</li>
 * </ul>
 *
 * @param uri      the folder
 * @param name     how the page names the run: the output URI its manifest records, else the folder
 * @param manifest the run's manifest, read once into types
 * @param results  the run's results as described above
 */
public record RunFolder(String uri, String name, RunProvenance manifest, JsonNode results) {
    /** The most any one JSON file of a run may hold. */
    static final long MAX_JSON_BYTES = 16L << 20;
    /** The largest magnitude a number of a run may have (sizes in bytes and timings in ms stay far below). */
    static final double MAX_MAGNITUDE = 1e15;
    /** The most one image of a run may hold (a frame, a strip, a filter grid). */
    static final long MAX_IMAGE_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a run. {@code finished}: the folder must hold {@code _SUCCESS} (a published run); a job making its own
     * report reads its staging folder, which does not yet.
     */
    public static RunFolder read(String uri, Configuration conf, boolean finished) {
        String folder = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        if (finished && !Storage.exists(folder + "/" + RunOutput.SUCCESS, conf)) {
            throw new IllegalArgumentException("run " + folder + " has no " + RunOutput.SUCCESS + " marker: it is "
                    + "not a finished dni-spark run (still running, failed, or not a run's output folder)");
        }
        JsonNode manifest = json(folder, "manifest.json", conf);
        String job = manifest.path("job").asText("");
        Sections.Kind kind;
        try {
            kind = Sections.of(job);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(folder + "/manifest.json names " + e.getMessage(), e);
        }
        JsonNode results = kind.resultsFile() == null ? manifest.path("summary")
                : json(folder, kind.resultsFile(), conf);
        if (!results.isObject()) {
            throw new IllegalArgumentException("run " + folder + " has no results object for its " + job + " job");
        }
        // named as the run itself recorded its output (its full URI), else by its folder
        RunProvenance provenance;
        try {
            provenance = RunProvenance.of(manifest);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(folder + "/manifest.json: " + e.getMessage(), e);
        }
        String name = provenance.output();
        return new RunFolder(folder, name.isEmpty() ? folder : name, provenance, results);
    }

    /** The same run under another name (a job's own report reads its staging folder). */
    public RunFolder named(String newName) {
        return new RunFolder(uri, newName, manifest, results);
    }

    /** {@code sweep}, {@code transition} or {@code correlate}: the job its manifest names. */
    public String job() {
        return manifest.job();
    }

    static JsonNode json(String folder, String relative, Configuration conf) {
        String uri = folder + "/" + relative;
        try {
            requireRegularInside(folder, relative, conf);
            JsonNode n = JSON.readTree(Storage.readAll(uri, conf, MAX_JSON_BYTES, "16 MiB for a report's JSON"));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(uri + ": expected a JSON object");
            }
            requireDrawableNumbers(n, uri, "");
            return n;
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(uri + ": no such file; expected a dni-spark run folder", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(uri + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a number that is not finite or exceeds {@link #MAX_MAGNITUDE} anywhere in {@code n}, naming the file and
     * the field as a JSON pointer: what a chart draws is checked before it is drawn.
     */
    static void requireDrawableNumbers(JsonNode n, String uri, String pointer) {
        if (n.isNumber()) {
            double v = n.asDouble();
            if (!Double.isFinite(v) || Math.abs(v) > MAX_MAGNITUDE) {
                throw new IllegalArgumentException(uri + ": field " + (pointer.isEmpty() ? "/" : pointer) + " is "
                        + n.asText() + "; expected a finite number of magnitude at most " + MAX_MAGNITUDE);
            }
        } else if (n.isObject()) {
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                requireDrawableNumbers(e.getValue(), uri, pointer + "/" + e.getKey());
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                requireDrawableNumbers(n.get(i), uri, pointer + "/" + i);
            }
        }
    }

    /**
     * On a local file system (the only kind with symbolic links), refuses a file that is not a regular file reached
     * without links from inside {@code folder}: a link anywhere on the way, to a file or a folder, would let a run
     * folder show what lies outside it (or loop). Object stores have no links; nothing to check there.
     */
    static void requireRegularInside(String folder, String relative, Configuration conf) throws IOException {
        java.nio.file.Path dir = localPath(folder, conf);
        if (dir == null) {
            return;
        }
        java.nio.file.Path p = dir;
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(folder + "/" + relative + ": expected a plain path inside the run");
            }
            p = p.resolve(part);
            if (java.nio.file.Files.isSymbolicLink(p)) {
                throw new IllegalArgumentException(p + " is a symbolic link; a report reads regular files inside the "
                        + "run folder " + folder + " only");
            }
        }
        if (java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(p + " is not a regular file (a device, a pipe or a folder); a report "
                    + "reads regular files inside the run folder only");
        }
    }

    /** The local path of a folder URI, or null when it is on another store. */
    static java.nio.file.Path localPath(String folder, Configuration conf) throws IOException {
        Path path = new Path(folder);
        FileSystem fs = Storage.fs(path, conf);
        if (!"file".equals(fs.getScheme())) {
            return null;
        }
        return java.nio.file.Paths.get(fs.makeQualified(path).toUri());
    }

    /** A file of the run, read whole with the image size limit. */
    byte[] bytes(String relative, Configuration conf) {
        try {
            requireRegularInside(uri, relative, conf);
            return Storage.readAll(uri + "/" + relative, conf, MAX_IMAGE_BYTES, "256 MiB for an image in a report");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + uri + "/" + relative + ": " + e.getMessage(), e);
        }
    }

    boolean has(String relative, Configuration conf) {
        return Storage.exists(uri + "/" + relative, conf);
    }

    /** The models' SHA-256 digests, in order (one per file; both files of an ncnn model). */
    List<String> modelDigests() {
        return manifest.modelDigests();
    }

    /**
     * The first {@code limit} image names by name whose strips a transition wrote ({@code strips/<image>.png},
     * sub-folders for recursive inputs), without holding more than {@code limit} names: the listing streams.
     */
    List<String> firstImages(int limit, Configuration conf) {
        TreeSet<String> first = new TreeSet<>();
        Path strips = new Path(uri + "/strips");
        try {
            FileSystem fs = Storage.fs(strips, conf);
            if (limit == 0 || !fs.exists(strips)) {
                return List.of();
            }
            String prefix = fs.makeQualified(strips).toUri().getPath() + "/";
            java.nio.file.Path local = localPath(uri + "/strips", conf);
            if (local != null) {
                // a local walk never follows a link (no loops, nothing outside the run); depth bounded
                try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(local, 32)) {
                    for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) walk::iterator) {
                        String path = f.toString();
                        if (!java.nio.file.Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                                || !path.endsWith(".png") || !(path + "/").startsWith(local + "/")) {
                            continue;
                        }
                        first.add(local.relativize(f).toString().replace('\\', '/').replaceAll("\\.png$", ""));
                        if (first.size() > limit) {
                            first.pollLast();
                        }
                    }
                }
                return new ArrayList<>(first);
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(strips, true);
            while (it.hasNext()) {
                LocatedFileStatus st = it.next();
                String path = st.getPath().toUri().getPath();
                if (!path.startsWith(prefix) || !path.endsWith(".png")) {
                    continue;
                }
                first.add(path.substring(prefix.length(), path.length() - 4));
                if (first.size() > limit) {
                    first.pollLast();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + strips + ": " + e.getMessage(), e);
        }
        return new ArrayList<>(first);
    }

    /** How many strips (images) a transition wrote, from its summary. */
    long images() {
        return results.path("strips").asLong(results.path("images").asLong(0));
    }

    /** The frame files of one image of a transition, by coefficient index. */
    String[] frames(String image, int coefficients, Configuration conf) {
        String[] out = new String[coefficients];
        Path dir = new Path(uri + "/frames/" + image);
        try {
            FileSystem fs = Storage.fs(dir, conf);
            for (FileStatus st : fs.listStatus(dir)) {
                String n = st.getPath().getName();
                if (!st.isFile() || !n.matches("\\d{2,}_.*\\.png")) {
                    continue;
                }
                int k = Integer.parseInt(n.substring(0, n.indexOf('_')));
                if (k < coefficients) {
                    out[k] = "frames/" + image + "/" + n;
                }
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("run " + uri + " has no frames for image '" + image + "'", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
