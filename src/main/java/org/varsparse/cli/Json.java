package org.varsparse.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;

/** JSON files of a run: written atomically, read with one-line errors naming the file. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** A finite double, or null (JSON has no NaN or infinity). */
    static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }

    /** Writes {@code value} as indented JSON to {@code file}, atomically (temp file, fsync, rename). */
    static void write(Path file, Object value) {
        try {
            byte[] bytes = PRETTY.writeValueAsBytes(value);
            FileIo.writeAtomically(file, out -> {
                out.write(bytes);
                out.write('\n');
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        } catch (IOException e) {
            throw FileIo.writeFailure(file, e);
        }
    }

    static JsonNode read(Path file, String fix) {
        byte[] bytes;
        try (var in = FileIo.open(file, fix)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw FileIo.readFailure(file, e, fix);
        }
        try {
            JsonNode n = MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw UserError.of(file, "is not a JSON object", fix);
            }
            return n;
        } catch (JsonProcessingException e) {
            throw UserError.of(file, "corrupt JSON (" + e.getOriginalMessage() + ")", fix, e);
        }
    }

    /** A field of a JSON object read from {@code file} that must be present (it may be null). */
    static JsonNode field(JsonNode node, String name, Path file, String fix) {
        JsonNode v = node.get(name);
        if (v == null) {
            throw UserError.of(file, "has no \"" + name + "\"", fix);
        }
        return v;
    }
}
