package org.varsparse.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.UserError;
import org.varsparse.tensor.Matrix;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static final SafeTensors.Tensor SCALAR = new SafeTensors.Tensor(new int[0], new float[] {Float.MIN_VALUE});

    /** Tensors covering the awkward cases: special values, 1-d, 0-d, an empty dimension. */
    private static Map<String, SafeTensors.Tensor> sample(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Matrix w = Matrix.uniform(13, 7, -2f, 2f, rng);
        w.data[0] = -0.0f;
        w.data[1] = Float.NaN;
        w.data[2] = Float.intBitsToFloat(0x7fc00123); // a NaN with payload
        w.data[3] = Float.NEGATIVE_INFINITY;
        w.data[4] = Float.MIN_VALUE; // subnormal
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("encoder.W", SafeTensors.Tensor.of(w));
        t.put("decoder.b1", SafeTensors.Tensor.of(new float[] {1, 2, 3}));
        t.put("a.scalar", SCALAR);
        t.put("empty", new SafeTensors.Tensor(new int[] {0, 5}, new float[0]));
        t.put("cube", new SafeTensors.Tensor(new int[] {2, 3, 4}, Matrix.uniform(1, 24, -1f, 1f, rng).data));
        return t;
    }

    private static void assertBitsEqual(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "element " + i);
        }
    }

    @Test
    void roundTripIsBitExact() {
        Path f = dir.resolve("model.safetensors");
        Map<String, SafeTensors.Tensor> t = sample(42);
        Map<String, String> meta = Map.of("format", "pt", "varsparse.config", "{\"lambda\": 0.005}", "epoch", "7");
        SafeTensors.write(f, t, meta);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(meta, c.metadata());
        assertEquals(t.keySet().stream().sorted().toList(), List.copyOf(c.tensors().keySet()));
        for (var e : t.entrySet()) {
            SafeTensors.Tensor got = c.get(f, e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertBitsEqual(e.getValue().data(), got.data());
        }
        assertEquals("13x7", c.get(f, "encoder.W").toMatrix().shape());
        String m = assertThrows(UserError.class, () -> c.get(f, "nope")).getMessage();
        assertTrue(m.startsWith(f + ": has no tensor 'nope'"), m);
    }

    @Test
    void readsAFileWrittenByThePythonLibrary() throws Exception {
        Path f = Path.of(SafeTensorsTest.class.getResource("/interop/python_safetensors_0.8.0.safetensors").toURI());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("who", "python"), c.metadata());
        assertArrayEquals(new int[] {2, 3}, c.get(f, "a").shape());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, c.get(f, "a").data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, c.get(f, "b").data());
    }

    @Test
    void largeTensorSpanningManyChunks() {
        Path f = dir.resolve("big.safetensors");
        Matrix m = Matrix.uniform(1024, 784, -1f, 1f, new SplittableRandom(3)); // 3.2 MB, many 64 KB chunks
        SafeTensors.write(f, Map.of("W2", SafeTensors.Tensor.of(m)), Map.of());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertBitsEqual(m.data, c.get(f, "W2").data());
        assertTrue(c.metadata().isEmpty());
    }

    @Test
    void headerFollowsTheSpec() throws IOException {
        Path f = dir.resolve("s.safetensors");
        SafeTensors.write(f, sample(1), Map.of("k", "v"));
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        assertEquals(header.strip(), header.stripLeading(), "only trailing spaces pad it");
        JsonNode root = new ObjectMapper().readTree(header);
        assertEquals("v", root.get("__metadata__").get("k").textValue());
        long end = 0;
        for (String name : List.of("a.scalar", "cube", "decoder.b1", "empty", "encoder.W")) { // name order
            JsonNode t = root.get(name);
            assertEquals("F32", t.get("dtype").textValue(), name);
            assertEquals(end, t.get("data_offsets").get(0).longValue(), name + " starts where the previous ends");
            end = t.get("data_offsets").get(1).longValue();
        }
        assertEquals("[13,7]", root.get("encoder.W").get("shape").toString());
        assertEquals("[]", root.get("a.scalar").get("shape").toString());
        assertEquals("[2,3,4]", root.get("cube").get("shape").toString());
        assertEquals(all.length - 8 - n, end, "the tensors tile the data buffer");
        assertEquals(6, root.size());
        // The bytes of decoder.b1: 1f, 2f, 3f little-endian.
        long b1 = 8 + n + root.get("decoder.b1").get("data_offsets").get(0).longValue();
        assertEquals(2f, ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) b1 + 4));
    }

    @Test
    void writeIsAtomicAndFailuresAreUserErrors() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(1), Map.of());
        SafeTensors.write(f, Map.of("x", SCALAR), Map.of());
        assertEquals(List.of("x"), List.copyOf(SafeTensors.read(f).tensors().keySet()));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temp files left");
        }
        Path bad = dir.resolve("missing").resolve("m.safetensors");
        String m = assertThrows(UserError.class, () -> SafeTensors.write(bad, Map.of("x", SCALAR), Map.of())).getMessage();
        assertTrue(m.startsWith(bad + ": cannot write it: the folder"), m);
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, Map.of("__metadata__", SCALAR), Map.of()));
    }

    // ---- corrupted files, written by the tests ----

    /** A file with the given header text and {@code dataBytes} zero data bytes; {@code n} overrides the length field. */
    private Path file(String name, String header, int dataBytes, Long n) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n != null ? n : h.length).put(h);
        return Files.write(dir.resolve(name), b.array());
    }

    private void expectError(Path f, String fragment) {
        String m = assertThrows(UserError.class, () -> SafeTensors.read(f)).getMessage();
        assertTrue(m.startsWith(f + ": "), m);
        assertTrue(m.contains(fragment), "expected '" + fragment + "' in: " + m);
        assertTrue(m.contains(". Fix: "), m);
        assertFalse(m.contains("\n"), m);
    }

    private static String t(String name, String dtype, String shape, long b, long e) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
    }

    @Test
    void truncatedAndShortFiles() throws IOException {
        Path f = dir.resolve("ok.safetensors");
        SafeTensors.write(f, Map.of("W", SafeTensors.Tensor.of(new Matrix(10, 10))), Map.of());
        byte[] all = Files.readAllBytes(f);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(all, all.length - 4));
        expectError(cut, "truncated: the tensors need 400 data bytes but the file holds 396");
        Path cutHeader = Files.write(dir.resolve("cuth.safetensors"), Arrays.copyOf(all, 20));
        expectError(cutHeader, "exceeds the file size (20 bytes)");
        Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        expectError(tiny, "too short for a safetensors file (3 bytes");
        Path longer = Files.write(dir.resolve("long.safetensors"), Arrays.copyOf(all, all.length + 4));
        expectError(longer, "4 bytes of data after the last tensor belong to no tensor");
        expectError(dir.resolve("absent.safetensors"), "no such file");
    }

    @Test
    void corruptHeaders() throws IOException {
        expectError(file("huge.st", "{}", 0, 1L << 40), "header length 1099511627776 exceeds the file size");
        expectError(file("neg.st", "{}", 0, -1L), "header length 18446744073709551615 exceeds");
        expectError(file("json.st", "{\"a\":{\"dtype\":", 0, null), "corrupt JSON header");
        expectError(file("notobj.st", "[1, 2]", 0, null), "does not start with '{'");
        expectError(file("trail.st", "{} {}", 0, null), "corrupt JSON header");
        expectError(file("dup.st", "{" + t("a", "F32", "[1]", 0, 4) + "," + t("a", "F32", "[1]", 4, 8) + "}", 8, null),
                "corrupt JSON header");
        expectError(file("meta.st", "{\"__metadata__\":{\"k\":1}}", 0, null), "__metadata__ value of 'k' is not a string");
        expectError(file("nodtype.st", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, null), "tensor 'a': no \"dtype\"");
        expectError(file("badshape.st", "{" + t("a", "F32", "[-1]", 0, 4) + "}", 4, null), "invalid dimension -1");
        expectError(file("badoff.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, null),
                "\"data_offsets\" is not a pair of integers");
        expectError(file("order.st", "{" + t("a", "F32", "[0]", 8, 4) + "}", 8, null), "data_offsets [8, 4] are out of order");
        // padded with spaces, as the writer does: accepted
        assertEquals(1, SafeTensors.read(file("pad.st", "{" + t("a", "F32", "[1]", 0, 4) + "}     ", 4, null)).tensors().size());
    }

    @Test
    void dtypeShapeAndOffsetChecks() throws IOException {
        expectError(file("f16.st", "{" + t("a", "F16", "[2]", 0, 4) + "}", 4, null),
                "tensor 'a' has dtype F16; varsparse reads F32 tensors only");
        expectError(file("size.st", "{" + t("a", "F32", "[2,3]", 0, 20) + "}", 20, null),
                "shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] span 20");
        expectError(file("overlap.st", "{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[2]", 4, 12) + "}", 12, null),
                "tensor 'b' (bytes 4..12) overlaps tensor 'a' (ending at 8)");
        expectError(file("hole.st", "{" + t("a", "F32", "[1]", 0, 4) + "," + t("b", "F32", "[1]", 8, 12) + "}", 12, null),
                "a hole in the data: bytes 4..8 before tensor 'b' belong to no tensor");
        expectError(file("start.st", "{" + t("a", "F32", "[1]", 4, 8) + "}", 8, null), "bytes 0..4 before tensor 'a'");
    }
}
