package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.varsparse.io.SafeTensors;

/** Looking at run folders from the outside, as a user (or a Python script) would. */
final class RunFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Names of temporary files and folders: FileIo's {@code .name.hex.tmp}, Checkpoint's {@code .name.partial/.old}. */
    private static final Pattern DEBRIS = Pattern.compile("^\\..*\\.(tmp|partial|old)$");

    private RunFiles() {
    }

    /** Every regular file under {@code dir} by relative path, with its SHA-256 (empty for a missing dir). */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), sha256(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** Temporary files or folders left under {@code dir} (relative paths). */
    static List<String> debris(Path dir) {
        List<String> found = new ArrayList<>();
        if (!Files.exists(dir)) {
            return found;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> DEBRIS.matcher(p.getFileName().toString()).matches())
                    .forEach(p -> found.add(dir.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * Checks that checkpoint folder {@code ck} loads as the CLI loads it: checkpoint.json parses, both safetensors
     * files match its recorded size and SHA-256, parse, and hold finite values only.
     */
    static void assertCheckpointLoadable(Path ck) {
        JsonNode j = readJson(ck.resolve("checkpoint.json"));
        assertEquals("varsparse-checkpoint", j.path("format").asText(), ck + "/checkpoint.json");
        for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
            Path p = ck.resolve(f);
            try {
                assertEquals(j.at("/files/" + f + "/bytes").asLong(), Files.size(p), p + " size");
                assertEquals(j.at("/files/" + f + "/sha256").asText(), sha256(Files.readAllBytes(p)), p + " sha256");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Map.Entry<String, SafeTensors.Tensor> t : SafeTensors.read(p).tensors().entrySet()) {
                for (float v : t.getValue().data()) {
                    assertTrue(Float.isFinite(v), p + " " + t.getKey() + " holds " + v);
                }
            }
        }
    }

    static JsonNode readJsonLine(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Records {@code file}'s current size and SHA-256 in its checkpoint.json, as if the checkpoint had been saved
     * so (by another tool, or a bug): the damage then reaches the reader instead of the hash check.
     */
    static void rehash(Path file) {
        Path json = file.resolveSibling("checkpoint.json");
        try {
            ObjectNode j = (ObjectNode) readJson(json);
            ObjectNode info = (ObjectNode) j.with("files").with(file.getFileName().toString());
            info.put("bytes", Files.size(file));
            info.put("sha256", sha256(Files.readAllBytes(file)));
            Files.write(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(j));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
