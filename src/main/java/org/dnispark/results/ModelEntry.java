package org.dnispark.results;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One model as every manifest lists it ({@code models}): the reference it was named by, its format, each file it was
 * read from with the file's SHA-256 (both files of an ncnn model), and its tensor and parameter counts.
 */
public record ModelEntry(String reference, String format, List<FileDigest> files, long tensors, long parameters) {
    public ModelEntry {
        files = List.copyOf(files);
    }

    /** A file a model was read from and its SHA-256; {@code uri} is null in manifests that recorded only a digest. */
    public record FileDigest(String uri, String sha256) {
    }

    /** Every file's SHA-256, in order. */
    public List<String> digests() {
        return files.stream().map(FileDigest::sha256).toList();
    }

    @JsonValue
    public ObjectNode toJson() {
        ObjectNode o = JsonFields.object();
        o.put("reference", reference);
        o.put("format", format);
        ArrayNode a = o.putArray("files");
        for (FileDigest f : files) {
            a.addObject().put("uri", f.uri()).put("sha256", f.sha256());
        }
        o.put("tensors", tensors);
        o.put("parameters", parameters);
        return o;
    }

    /** Reads an entry; a manifest of an older build with one {@code sha256} and no files gives one file without a URI. */
    public static ModelEntry of(JsonNode n) {
        List<FileDigest> files = new java.util.ArrayList<>(array(n.path("files")));
        if (n.hasNonNull("sha256")) {
            files.add(new FileDigest(null, n.get("sha256").asText()));
        }
        return new ModelEntry(n.path("reference").asText(""), n.path("format").asText(""), files,
                n.path("tensors").asLong(0), n.path("parameters").asLong(0));
    }

    private static List<FileDigest> array(JsonNode files) {
        return JsonFields.array(files, f -> new FileDigest(f.path("uri").asText(""), f.path("sha256").asText("")));
    }
}
