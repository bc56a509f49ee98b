package org.varsparse.backend.scalar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** The oracle on values worked out by hand (exact in float), so the contract tests compare against something right. */
class ScalarOpsTest {
    private final TensorOps ops = new ScalarOps();
    private final Matrix a = Matrix.of(2, 3, 1, 2, 3, 4, 5, 6);   // [[1 2 3] [4 5 6]]
    private final Matrix b = Matrix.of(3, 2, 1, -1, 0, 2, 3, 1);  // [[1 -1] [0 2] [3 1]]

    @Test
    void gemmForms() {
        Matrix c = Matrix.of(2, 2, 1, 1, 1, 1);
        ops.gemm(2f, a, b, 0.5f, c); // A·B = [[10 6] [22 12]]; 2·AB + 0.5
        assertArrayEquals(new float[] {20.5f, 12.5f, 44.5f, 24.5f}, c.data);

        Matrix nt = new Matrix(2, 2);
        ops.gemmNT(1f, a, a, 0f, nt); // A·Aᵀ = [[14 32] [32 77]]
        assertArrayEquals(new float[] {14, 32, 32, 77}, nt.data);

        Matrix tn = new Matrix(2, 2);
        tn.fill(Float.NaN);
        ops.gemmTN(1f, b, b, 0f, tn); // Bᵀ·B = [[10 2] [2 6]], NaN ignored with beta = 0
        assertArrayEquals(new float[] {10, 2, 2, 6}, tn.data);
    }

    @Test
    void reductions() {
        float[] r = new float[2], c = new float[3];
        ops.rowSums(a, r);
        assertArrayEquals(new float[] {6, 15}, r);
        ops.colSums(a, c);
        assertArrayEquals(new float[] {5, 7, 9}, c);
        ops.colMeans(a, c);
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, c);
        float[] std = new float[3];
        ops.colStd(a, c, std); // each column: (x - mean)² = 2.25 + 2.25 over (2 - 1)
        assertArrayEquals(new float[] {(float) Math.sqrt(4.5), (float) Math.sqrt(4.5), (float) Math.sqrt(4.5)}, std);
        Matrix p = Matrix.of(2, 2, 3, 4, 0, -5);
        ops.rowNorms(p, r);
        assertArrayEquals(new float[] {5, 5}, r);
        ops.rowSquaredDistances(p, Matrix.of(2, 2, 1, 1, 0, 0), r); // 4 + 9, 0 + 25
        assertArrayEquals(new float[] {13, 25}, r);
    }

    @Test
    void elementwise() {
        Matrix x = Matrix.of(1, 4, -1f, 0.25f, 0.5f, 2f);
        Matrix out = new Matrix(1, 4);
        ops.softThresholdNonNeg(x, 0.5f, out);
        assertArrayEquals(new float[] {0, 0, 0, 1.5f}, out.data);
        ops.relu(x, out);
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 2f}, out.data);
        Matrix g = Matrix.of(1, 4, 1, 1, 1, 1);
        ops.reluBackward(Matrix.of(1, 4, -1, 0, 3, -0f), g);
        assertArrayEquals(new float[] {0, 0, 1, 0}, g.data);
        Matrix y = Matrix.of(1, 4, 1, 1, 1, 1);
        ops.axpby(2f, x, 0.5f, y);
        assertArrayEquals(new float[] {-1.5f, 1f, 1.5f, 4.5f}, y.data);
        ops.axpy(1f, x, y);
        assertArrayEquals(new float[] {-2.5f, 1.25f, 2f, 6.5f}, y.data);
        Matrix aux = new Matrix(1, 4);
        ops.fistaMomentum(Matrix.of(1, 4, 1, 2, 3, 4), Matrix.of(1, 4, 0, 2, 4, 2), 0.5f, aux);
        assertArrayEquals(new float[] {1.5f, 2, 2.5f, 5}, aux.data);
        Matrix z = new Matrix(2, 2);
        // row 0 live: max(0, aux - 0.5·grad - 0.5·1); row 1 stopped: max(0, aux)
        ops.maskedProxStep(Matrix.of(2, 2, 2, 1, -1, 3), Matrix.of(2, 2, 1, 2, 5, 5), new float[] {0, 1}, 0.5f, 1f, z);
        assertArrayEquals(new float[] {1, 0, 0, 3}, z.data);
        Matrix m = Matrix.of(2, 2, 1, 2, 3, 4);
        ops.addRowVector(m, new float[] {10, 20});
        assertArrayEquals(new float[] {11, 22, 13, 24}, m.data);
    }
}
