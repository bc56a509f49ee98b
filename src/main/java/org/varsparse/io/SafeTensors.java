package org.varsparse.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.varsparse.UserError;
import org.varsparse.tensor.Matrix;

/**
 * The safetensors format (Hugging Face), float32 only: what PyTorch, JAX and numpy users load
 * without unpickling anything.
 *
 * <pre>
 *   8 bytes    N, unsigned little-endian: the header length
 *   N bytes    UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..],
 *              "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
 *   the rest   the tensors' little-endian bytes, C order; offsets are relative to here
 * </pre>
 * The tensors tile the data buffer exactly: sorted by offset, each begins where the previous one
 * ends, the first at 0 and the last at the end of the file (no holes, no overlap), as the format
 * requires. With N a multiple of 8 and only F32 tensors, every tensor starts 4-byte aligned.
 *
 * <p>Writes are atomic ({@link FileIo#writeAtomically}); tensors are written in name order. Every
 * problem with a file, on reading or writing, is a one-line {@link UserError} naming the file.
 */
public final class SafeTensors {
    public static final String METADATA_KEY = "__metadata__";
    /** The reference implementation's limit; a larger header is treated as corruption. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final int CHUNK = 1 << 16;
    private static final String READ_FIX = "the file is damaged or not a safetensors file: write it again"
            + " (e.g. rerun the command that saved it)";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensors() {
    }

    /** A float32 tensor: its shape and its values in C order. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            if (numel(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length
                        + " values");
            }
        }

        /** A (rows, cols) tensor sharing {@code m}'s array. */
        public static Tensor of(Matrix m) {
            return new Tensor(new int[] {m.rows, m.cols}, m.data);
        }

        /** A 1-d tensor sharing {@code v}. */
        public static Tensor of(float[] v) {
            return new Tensor(new int[] {v.length}, v);
        }

        /** As a matrix sharing the array: 2-d keeps its shape, 1-d becomes 1×n. */
        public Matrix toMatrix() {
            return switch (shape.length) {
                case 2 -> new Matrix(shape[0], shape[1], data);
                case 1 -> new Matrix(1, shape[0], data);
                default -> throw new IllegalArgumentException("a " + shape.length + "-d tensor "
                        + Arrays.toString(shape) + " is not a matrix");
            };
        }
    }

    /** What a file holds: its string metadata and its tensors by name (both in name order). */
    public record Contents(Map<String, String> metadata, Map<String, Tensor> tensors) {
        /** The tensor called {@code name}; a missing one is a user error naming the file. */
        public Tensor get(Path file, String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw UserError.of(file, "has no tensor '" + name + "' (it holds " + tensors.keySet() + ")",
                        "pass a file written for this model");
            }
            return t;
        }
    }

    /** Writes {@code tensors} and {@code metadata} to {@code file}, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("invalid tensor name '" + e.getKey() + "'");
            }
            Tensor t = e.getValue();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long end = offset + 4L * t.data().length;
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a tree of strings and numbers", e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        try {
            FileIo.writeAtomically(file, out -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(padded);
                out.write(buf.array(), 0, 8);
                out.write(head);
                for (Tensor t : sorted.values()) {
                    float[] v = t.data();
                    for (int i = 0; i < v.length; ) {
                        buf.clear();
                        int n = Math.min(v.length - i, CHUNK / 4);
                        buf.asFloatBuffer().put(v, i, n);
                        out.write(buf.array(), 0, 4 * n);
                        i += n;
                    }
                }
            });
        } catch (IOException e) {
            throw FileIo.writeFailure(file, e);
        }
    }

    /** Reads and validates a file; see the class doc for the checks. */
    public static Contents read(Path file) {
        long fileSize = FileIo.size(file, READ_FIX);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (fileSize < 8) {
                throw corrupt(file, "too short for a safetensors file (" + fileSize + " bytes, the header length alone"
                        + " takes 8)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > fileSize - 8) {
                throw corrupt(file, "header length " + Long.toUnsignedString(n) + " exceeds the file size (" + fileSize
                        + " bytes): truncated, or not a safetensors file");
            }
            if (n > MAX_HEADER_BYTES) {
                throw corrupt(file, "header length " + n + " is over the 100 MB limit");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headBuf, 8, file);
            long dataStart = 8 + n;
            List<Info> infos = new ArrayList<>();
            Map<String, String> metadata = parseHeader(file, headBuf.array(), fileSize - dataStart, infos);
            Map<String, Tensor> tensors = new TreeMap<>();
            for (Info info : infos) {
                float[] v = new float[(int) (info.bytes() / 4)]; // bounded: the offsets tile the file
                readFloats(ch, dataStart + info.begin(), v, file);
                tensors.put(info.name(), new Tensor(info.shape(), v));
            }
            return new Contents(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
        } catch (IOException e) {
            throw FileIo.readFailure(file, e, READ_FIX);
        }
    }

    private record Info(String name, int[] shape, long begin, long end) {
        long bytes() {
            return end - begin;
        }
    }

    /** Parses and checks the JSON header; fills {@code infos}, returns the metadata. */
    private static Map<String, String> parseHeader(Path file, byte[] head, long dataBytes, List<Info> infos) {
        if (head.length == 0 || head[0] != '{') {
            throw corrupt(file, "the header does not start with '{' (not a safetensors file?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(head, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at header byte " + e.getLocation().getCharOffset();
            throw corrupt(file, "corrupt JSON header" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "the header is not a JSON object");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals(METADATA_KEY)) {
                if (!v.isObject()) {
                    throw corrupt(file, METADATA_KEY + " is not a JSON object");
                }
                for (Map.Entry<String, JsonNode> kv : v.properties()) {
                    if (!kv.getValue().isTextual()) {
                        throw corrupt(file, METADATA_KEY + " value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().textValue());
                }
                continue;
            }
            infos.add(parseInfo(file, name, v));
        }
        infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expect = 0;
        String prev = null;
        for (Info info : infos) {
            if (info.begin() < expect) {
                throw corrupt(file, "tensor '" + info.name() + "' (bytes " + info.begin() + ".." + info.end()
                        + ") overlaps tensor '" + prev + "' (ending at " + expect + ")");
            }
            if (info.begin() > expect) {
                throw corrupt(file, "a hole in the data: bytes " + expect + ".." + info.begin() + " before tensor '"
                        + info.name() + "' belong to no tensor");
            }
            expect = info.end();
            prev = info.name();
        }
        if (expect != dataBytes) {
            throw corrupt(file, expect < dataBytes
                    ? (dataBytes - expect) + " bytes of data after the last tensor belong to no tensor"
                    : "truncated: the tensors need " + expect + " data bytes but the file holds " + dataBytes);
        }
        return metadata;
    }

    private static Info parseInfo(Path file, String name, JsonNode v) {
        String t = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw corrupt(file, t + ": its header entry is not a JSON object");
        }
        JsonNode dtype = v.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw corrupt(file, t + ": no \"dtype\" string");
        }
        if (!dtype.textValue().equals("F32")) {
            throw UserError.of(file, t + " has dtype " + dtype.textValue() + "; varsparse reads F32 tensors only",
                    "convert it to float32 before saving (e.g. tensor.float() in PyTorch)");
        }
        JsonNode shapeNode = v.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw corrupt(file, t + ": no \"shape\" array");
        }
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw corrupt(file, t + ": shape " + shapeNode + " has an invalid dimension " + d);
            }
            shape[i] = d.intValue();
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE - 8) {
                throw corrupt(file, t + ": shape " + shapeNode + " has more than 2^31 elements");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong()
                || !off.get(1).canConvertToLong() || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw corrupt(file, t + ": \"data_offsets\" is not a pair of integers");
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw corrupt(file, t + ": data_offsets [" + begin + ", " + end + "] are out of order");
        }
        if (end - begin != 4 * numel) {
            throw corrupt(file, t + ": shape " + Arrays.toString(shape) + " of F32 needs " + 4 * numel
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Info(name, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, Path file) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw corrupt(file, "truncated: the file ended while reading it (did it change meanwhile?)");
            }
            pos += r;
        }
    }

    private static void readFloats(FileChannel ch, long pos, float[] dst, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dst.length; ) {
            int n = Math.min(dst.length - i, CHUNK / 4);
            buf.clear().limit(4 * n);
            readFully(ch, buf, pos, file);
            buf.flip();
            buf.asFloatBuffer().get(dst, i, n);
            i += n;
            pos += 4L * n;
        }
    }

    private static UserError corrupt(Path file, String problem) {
        return UserError.of(file, problem, READ_FIX);
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }
}
