package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

class ListaEncoderTest {
    private final TensorOps ops = new ScalarOps();

    /** Golden case 4 (lista_fb): PyTorch 1.13 forward, MSE 'mean' loss and autograd gradients of the small encoder. */
    @Test
    void goldenCase4ForwardLossAndGradients() {
        ListaEncoder enc = new ListaEncoder(Golden.matrix("small_enc_W"), Golden.floats("small_enc_b"),
                Golden.matrix("small_enc_S"), 3);
        Matrix y = Golden.matrix("mnist250_Y").rowSlice(0, 64); // (64×784)
        Matrix target = Golden.matrix("lista_fb_target");      // (64×32)
        ListaEncoder.Workspace ws = enc.workspace(64);

        Matrix zEnc = ws.forward(ops, y);
        double loss = ws.backward(ops, target);

        GoldenCompare.assertClose("lista_fb_f32_Zenc", zEnc.data, 1e-3, 1e-4);
        GoldenCompare.assertClose("lista_fb_f32_loss", new double[] {loss},
                Golden.array("lista_fb_f32_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("lista_fb_f32_grad_W", ws.gradW.data, 1e-3, 1e-4);
        GoldenCompare.assertClose("lista_fb_f32_grad_b", ws.gradB, 1e-3, 1e-4);
        GoldenCompare.assertClose("lista_fb_f32_grad_S", ws.gradS.data, 1e-3, 1e-4);
        // Against the float64 reference, relative to each tensor's max (floor fraction 1): torch's own float32
        // differs from it by <= 1.05e-6 (Zenc) and <= 5.4e-7 (gradients); allow about 5x that.
        GoldenCompare.assertClose("lista_fb_f64_Zenc", zEnc.data, 1, 5e-6);
        GoldenCompare.assertClose("lista_fb_f64_loss", new double[] {loss},
                Golden.array("lista_fb_f64_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("lista_fb_f64_grad_W", ws.gradW.data, 1, 5e-6);
        GoldenCompare.assertClose("lista_fb_f64_grad_b", ws.gradB, 1, 5e-6);
        GoldenCompare.assertClose("lista_fb_f64_grad_S", ws.gradS.data, 1, 5e-6);

        Matrix viaEncode = new Matrix(64, 32);
        enc.encode(ops, y, viaEncode);
        assertArrayEquals(zEnc.data, viaEncode.data, "encode() and the workspace forward pass must agree");
    }

    @Test
    void zeroIterationsIsReluOfAffineMap() {
        SplittableRandom rng = new SplittableRandom(41);
        int batch = 7, p = 13, l = 5;
        ListaEncoder enc = new ListaEncoder(Matrix.uniform(l, p, -0.5f, 0.5f, rng), TestData.uniform(l, 0.3f, rng),
                Matrix.uniform(l, l, -0.5f, 0.5f, rng), 0);
        Matrix y = TestData.gaussian(batch, p, rng);
        Matrix out = new Matrix(batch, l);
        enc.encode(ops, y, out);
        int zeros = 0;
        for (int i = 0; i < batch; i++) {
            for (int k = 0; k < l; k++) {
                double c = enc.b[k];
                for (int j = 0; j < p; j++) {
                    c += (double) enc.W.get(k, j) * y.get(i, j);
                }
                double expected = Math.max(0, c);
                zeros += expected == 0 ? 1 : 0;
                assertEquals(expected, out.get(i, k), 1e-5 * (1 + Math.abs(c)), "E(y)[" + i + "," + k + "]");
            }
        }
        assertTrue(zeros > 0 && zeros < batch * l, "the check should see both active and inactive units");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (int iterations : new int[] {0, 1, 3}) {
            SplittableRandom rng = new SplittableRandom(100 + iterations);
            int batch = 6, p = 9, l = 5;
            ListaEncoder enc = new ListaEncoder(Matrix.uniform(l, p, -0.6f, 0.6f, rng), TestData.uniform(l, 0.3f, rng),
                    Matrix.uniform(l, l, -0.5f, 0.5f, rng), iterations);
            Matrix y = TestData.gaussian(batch, p, rng);
            Matrix target = TestData.gaussian(batch, l, rng);
            ops.relu(target, target);
            ListaEncoder.Workspace ws = enc.workspace(batch);
            ws.forward(ops, y);
            double loss = ws.backward(ops, target);

            DoubleLista ref = new DoubleLista(enc);
            assertEquals(ref.loss(y, target), loss, 1e-6 * loss, "double re-evaluation of L_E");
            String tag = " (T_L=" + iterations + ")";
            FiniteDifference.check("encoder grad W" + tag, ref.w, ws.gradW.data, () -> ref.loss(y, target));
            FiniteDifference.check("encoder grad b" + tag, ref.b, ws.gradB, () -> ref.loss(y, target));
            if (iterations > 0) {
                FiniteDifference.check("encoder grad S" + tag, ref.s, ws.gradS.data, () -> ref.loss(y, target));
            } else {
                assertArrayEquals(new float[l * l], ws.gradS.data, "S is unused with 0 iterations");
            }
        }
    }

    @Test
    void workspaceIsReusableAcrossBatches() {
        SplittableRandom rng = new SplittableRandom(7);
        ListaEncoder enc = ListaEncoder.init(11, 4, 3, rng);
        System.arraycopy(TestData.uniform(4, 0.3f, rng), 0, enc.b, 0, 4);
        Matrix y1 = TestData.gaussian(5, 11, rng), y2 = TestData.gaussian(5, 11, rng), t = TestData.gaussian(5, 4, rng);
        ListaEncoder.Workspace ws = enc.workspace(5);
        ws.forward(ops, y1);
        double l1 = ws.backward(ops, t);
        float[] gW = ws.gradW.data.clone(), gB = ws.gradB.clone(), gS = ws.gradS.data.clone();
        ws.forward(ops, y2);
        ws.backward(ops, t);
        ws.forward(ops, y1);
        assertEquals(l1, ws.backward(ops, t));
        assertArrayEquals(gW, ws.gradW.data);
        assertArrayEquals(gB, ws.gradB);
        assertArrayEquals(gS, ws.gradS.data);
    }

    @Test
    void initFollowsPyTorchDefaults() {
        ListaEncoder enc = ListaEncoder.init(784, 128, 3, new SplittableRandom(31));
        assertEquals(128, enc.codeDim());
        assertEquals(784, enc.inputDim());
        assertEquals(3, enc.iterations);
        assertArrayEquals(new float[128], enc.b, "the reference zeroes the encoder bias");
        UniformCheck.assertUniform("encoder W", enc.W, 1 / Math.sqrt(784));
        UniformCheck.assertUniform("encoder S", enc.S, 1 / Math.sqrt(128));
        ListaEncoder again = ListaEncoder.init(784, 128, 3, new SplittableRandom(31));
        assertArrayEquals(enc.W.data, again.W.data, "same seed, same weights");
        assertArrayEquals(enc.S.data, again.S.data, "same seed, same weights");
    }

    @Test
    void rejectsBadShapes() {
        ListaEncoder enc = ListaEncoder.init(10, 4, 3, new SplittableRandom(1));
        ListaEncoder.Workspace ws = enc.workspace(3);
        assertThrows(IllegalStateException.class, () -> ws.backward(ops, new Matrix(3, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ws.forward(ops, new Matrix(3, 11)));
        assertTrue(e.getMessage().contains("3x11") && e.getMessage().contains("3x10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ws.forward(ops, new Matrix(4, 10)));
        ws.forward(ops, new Matrix(3, 10));
        assertThrows(IllegalArgumentException.class, () -> ws.backward(ops, new Matrix(3, 5)));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(ops, new Matrix(3, 10), new Matrix(3, 5)));
        assertThrows(IllegalArgumentException.class, () -> enc.workspace(0));
        assertThrows(IllegalArgumentException.class, () -> ListaEncoder.init(0, 4, 3, new SplittableRandom(1)));
    }

    /** Backward from ∂L/∂E(Y) = 2(E(Y) − Z*)/(B·l) gives the gradients of backward(Z*) (finite-difference checked above). */
    @Test
    void backwardFromGradientMatchesTheEncoderLoss() {
        SplittableRandom rng = new SplittableRandom(7);
        int batch = 6, p = 9, l = 5;
        ListaEncoder enc = new ListaEncoder(Matrix.uniform(l, p, -0.6f, 0.6f, rng), TestData.uniform(l, 0.3f, rng),
                Matrix.uniform(l, l, -0.5f, 0.5f, rng), 2);
        Matrix y = TestData.gaussian(batch, p, rng);
        Matrix target = TestData.gaussian(batch, l, rng);
        ListaEncoder.Workspace ws = enc.workspace(batch);
        Matrix z = ws.forward(ops, y);
        Matrix g = new Matrix(batch, l);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = 2 * (z.data[i] - target.data[i]) / (batch * l);
        }
        ws.backwardFromGradient(ops, g);
        float[] gw = ws.gradW.data.clone(), gb = ws.gradB.clone(), gs = ws.gradS.data.clone();
        ws.backward(ops, target);
        assertArrayEquals(ws.gradW.data, gw, 1e-6f);
        assertArrayEquals(ws.gradB, gb, 1e-6f);
        assertArrayEquals(ws.gradS.data, gs, 1e-6f);
        assertTrue(Math.abs(gs[0]) + Math.abs(gw[0]) > 0, "non-trivial gradients");
    }

    /** L_E re-evaluated in double from the float weights, for finite differences. */
    static final class DoubleLista {
        final double[] w, b, s; // (l×P), (l), (l×l)
        final int l, p, iterations;

        DoubleLista(ListaEncoder enc) {
            this.w = FiniteDifference.widen(enc.W.data);
            this.b = FiniteDifference.widen(enc.b);
            this.s = FiniteDifference.widen(enc.S.data);
            this.l = enc.codeDim();
            this.p = enc.inputDim();
            this.iterations = enc.iterations;
        }

        double loss(Matrix y, Matrix target) {
            double sum = 0;
            for (int i = 0; i < y.rows; i++) {
                double[] c = new double[l];
                for (int k = 0; k < l; k++) {
                    c[k] = b[k];
                    for (int j = 0; j < p; j++) {
                        c[k] += w[k * p + j] * y.get(i, j);
                    }
                }
                double[] z = new double[l];
                for (int k = 0; k < l; k++) {
                    z[k] = Math.max(0, c[k]);
                }
                for (int t = 0; t < iterations; t++) {
                    double[] next = new double[l];
                    for (int k = 0; k < l; k++) {
                        double v = c[k];
                        for (int m = 0; m < l; m++) {
                            v += s[k * l + m] * z[m];
                        }
                        next[k] = Math.max(0, v);
                    }
                    z = next;
                }
                for (int k = 0; k < l; k++) {
                    double d = z[k] - target.get(i, k);
                    sum += d * d;
                }
            }
            return sum / ((double) y.rows * l);
        }
    }
}
