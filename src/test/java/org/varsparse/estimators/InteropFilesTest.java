package org.varsparse.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.io.Npy;
import org.varsparse.io.SafeTensors;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Files for Python: a fitted DictionaryLearning writes X, its codes, components and reconstructions as .npy and
 * the whole model as a checkpoint folder (safetensors + JSON), reads them back (they must be identical), and
 * leaves them in target/interop with expectations.json (shapes, sums, sampled values) for
 * {@code /usr/bin/python3 scripts/check_interop.py target/interop}, which checks them with numpy alone.
 */
class InteropFilesTest {
    private static final TensorOps OPS = new ScalarOps();

    @Test
    void writesNpyAndSafetensorsThatReadBackIdentically() throws IOException {
        Path dir = Path.of("target", "interop");
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(7);
        Matrix x = Matrix.uniform(120, 20, -1f, 1f, rng); // (n_samples × n_features)
        DictionaryLearning dl = DictionaryLearning.builder(10).batchSize(40).epochs(2).seed(7).backend(OPS).build()
                .fit(x);
        Matrix codes = dl.transform(x); // (120×10)
        Matrix comps = dl.components(); // (10×20)
        Matrix recon = dl.inverseTransform(codes); // (120×20)
        Map<String, Matrix> arrays = new LinkedHashMap<>();
        arrays.put("X", x);
        arrays.put("codes", codes);
        arrays.put("components", comps);
        arrays.put("reconstruction", recon);
        Map<String, Object> expect = new LinkedHashMap<>();
        Map<String, Object> npy = new LinkedHashMap<>();
        for (var e : arrays.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".npy");
            Npy.writeMatrix(f, e.getValue());
            Npy.Array back = Npy.read(f);
            assertEquals("<f4", back.dtype());
            assertArrayEquals(new int[] {e.getValue().rows, e.getValue().cols}, back.shape());
            assertArrayEquals(e.getValue().data, back.toMatrix().data, e.getKey());
            npy.put(e.getKey() + ".npy", describe(e.getValue().data, e.getValue().rows, e.getValue().cols));
        }
        expect.put("npy", npy);
        expect.put("reconstruction_is_codes_times_components", Map.of("atol", 1e-5));

        Path model = dir.resolve("model");
        dl.save(model);
        SafeTensors.Contents st = SafeTensors.read(model.resolve("model.safetensors"));
        Map<String, Object> tensors = new LinkedHashMap<>();
        for (var e : st.tensors().entrySet()) {
            int[] s = e.getValue().shape();
            tensors.put(e.getKey(), withShape(describe(e.getValue().data(), 1, 1), s));
        }
        assertArrayEquals(comps.transpose().data, st.get(model, "decoder.W").data(), "decoder.W is componentsᵀ");
        expect.put("model.safetensors", tensors);
        expect.put("checkpoint.json", Map.of("format", "varsparse-checkpoint", "epoch", 2,
                "hyperparameters", Map.of("codeDim", 10, "batchSize", 40, "sparsityReg", dl.config().sparsityReg(),
                        "varianceReg", dl.config().varianceReg())));
        DictionaryLearning back = DictionaryLearning.load(model, SparseCoder.Algorithm.FISTA, OPS);
        assertArrayEquals(codes.data, back.transform(x).data, "codes after save/load");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("expectations.json").toFile(),
                expect);
    }

    /** numpy writes Fortran order for transposed arrays and sklearn's codes; Npy reads it into C order. */
    @Test
    void readsFortranOrderNpy() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        String header = dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float v : new float[] {1, 4, 2, 5, 3, 6}) { // columns of [[1, 2, 3], [4, 5, 6]]
            b.putFloat(v);
        }
        Matrix m = Npy.parse(b.array(), "fortran").toMatrix();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.data);
    }

    private static Map<String, Object> withShape(Map<String, Object> d, int[] shape) {
        List<Integer> s = new ArrayList<>();
        for (int v : shape) {
            s.add(v);
        }
        d.put("shape", s);
        return d;
    }

    /** Shape, float64 sum, and the values at a few flat indices (first, middle, last). */
    private static Map<String, Object> describe(float[] v, int rows, int cols) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("shape", List.of(rows, cols));
        double sum = 0;
        for (float f : v) {
            sum += f;
        }
        d.put("sum", sum);
        Map<String, Object> at = new LinkedHashMap<>();
        for (int i : new int[] {0, v.length / 2, v.length - 1}) {
            at.put(Integer.toString(i), (double) v[i]);
        }
        d.put("values_at_flat_index", at);
        return d;
    }
}
