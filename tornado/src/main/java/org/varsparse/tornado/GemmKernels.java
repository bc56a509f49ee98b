package org.varsparse.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Row-major float32 GEMMs as TornadoVM kernels: plain {@code @Parallel} loops over the output (one work-item
 * per C element, float accumulation as PyTorch float32 and the CPU backends), correct on every OpenCL/PTX
 * device including PoCL. {@code ab} holds (alpha, beta); beta = 0 ignores C's old values, as
 * {@link org.varsparse.tensor.TensorOps#gemm}. Each method is also plain Java, so the CPU can run the same code.
 */
public final class GemmKernels {
    private GemmKernels() {
    }

    /** C = alpha·A·B + beta·C. A (m×k), B (k×n), C (m×n). */
    public static void matmulNN(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(i * k + p) * b.get(p * n + j);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }

    /** C = alpha·A·Bᵀ + beta·C. A (m×k), B (n×k), C (m×n). */
    public static void matmulNT(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(i * k + p) * b.get(j * k + p);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }

    /** C = alpha·Aᵀ·B + beta·C. A (k×m), B (k×n), C (m×n). */
    public static void matmulTN(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(p * m + i) * b.get(p * n + j);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }
}
