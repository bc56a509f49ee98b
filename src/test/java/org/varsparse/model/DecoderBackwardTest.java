package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

/** Decoder loss L_D = mean((Y − D(Z))²): forward, loss and parameter gradients of both decoders. */
class DecoderBackwardTest {
    private final TensorOps ops = new ScalarOps();

    private static Matrix y64() {
        return Golden.matrix("mnist250_Y").rowSlice(0, 64); // (64×784)
    }

    /** Golden case 5 (decoder_grads), linear dictionary: PyTorch 1.13 forward, MSE 'mean' and autograd. */
    @Test
    void goldenCase5Linear() {
        LinearDictionary dec = new LinearDictionary(Golden.matrix("small_dec_lin_W"));
        LinearDictionary.Workspace ws = dec.workspace(64);
        double loss = ws.lossAndGradients(ops, y64(), Golden.matrix("decoder_grads_Z"));

        GoldenCompare.assertClose("decoder_grads_f32_lin_Yhat", ws.yHat().data, 1e-3, 1e-4);
        GoldenCompare.assertClose("decoder_grads_f32_lin_loss", new double[] {loss},
                Golden.array("decoder_grads_f32_lin_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("decoder_grads_f32_lin_grad_W", ws.gradW.data, 1e-3, 1e-4);
        // float64 reference, relative to the tensor max; torch float32 is within 3.2e-7 of it.
        GoldenCompare.assertClose("decoder_grads_f64_lin_loss", new double[] {loss},
                Golden.array("decoder_grads_f64_lin_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("decoder_grads_f64_lin_grad_W", ws.gradW.data, 1, 2e-6);
    }

    /** Golden case 5 (decoder_grads), one-hidden-layer decoder (W2 × 8 and nonzero b1 in the fixture). */
    @Test
    void goldenCase5OneHidden() {
        OneHiddenDecoder dec = new OneHiddenDecoder(Golden.matrix("small_dec_nl_W1"), Golden.floats("small_dec_nl_b1"),
                Golden.matrix("small_dec_nl_W2"));
        OneHiddenDecoder.Workspace ws = dec.workspace(64);
        double loss = ws.lossAndGradients(ops, y64(), Golden.matrix("decoder_grads_Z"));

        GoldenCompare.assertClose("decoder_grads_f32_nl_Yhat", ws.yHat().data, 1e-3, 1e-4);
        GoldenCompare.assertClose("decoder_grads_f32_nl_loss", new double[] {loss},
                Golden.array("decoder_grads_f32_nl_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("decoder_grads_f32_nl_grad_W1", ws.gradW1.data, 1e-3, 1e-4);
        GoldenCompare.assertClose("decoder_grads_f32_nl_grad_b1", ws.gradB1, 1e-3, 1e-4);
        GoldenCompare.assertClose("decoder_grads_f32_nl_grad_W2", ws.gradW2.data, 1e-3, 1e-4);
        GoldenCompare.assertClose("decoder_grads_f64_nl_loss", new double[] {loss},
                Golden.array("decoder_grads_f64_nl_loss").values(), 0, 1e-6);
        GoldenCompare.assertClose("decoder_grads_f64_nl_grad_W1", ws.gradW1.data, 1, 2e-6);
        GoldenCompare.assertClose("decoder_grads_f64_nl_grad_b1", ws.gradB1, 1, 2e-6);
        GoldenCompare.assertClose("decoder_grads_f64_nl_grad_W2", ws.gradW2.data, 1, 2e-6);
    }

    @Test
    void linearGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(205);
        int batch = 6, p = 11, l = 5;
        LinearDictionary dec = new LinearDictionary(Matrix.uniform(p, l, -0.5f, 0.5f, rng));
        Matrix z = TestData.gaussian(batch, l, rng), y = TestData.gaussian(batch, p, rng);
        LinearDictionary.Workspace ws = dec.workspace(batch);
        double loss = ws.lossAndGradients(ops, y, z);

        double[] w = FiniteDifference.widen(dec.W.data);
        DoubleLoss ref = () -> {
            double s = 0;
            for (int i = 0; i < batch; i++) {
                for (int q = 0; q < p; q++) {
                    double yh = 0;
                    for (int k = 0; k < l; k++) {
                        yh += w[q * l + k] * z.get(i, k);
                    }
                    double d = y.get(i, q) - yh;
                    s += d * d;
                }
            }
            return s / ((double) batch * p);
        };
        assertEquals(ref.getAsDouble(), loss, 1e-6 * loss, "double re-evaluation of L_D");
        FiniteDifference.check("linear decoder grad W", w, ws.gradW.data, ref);
    }

    @Test
    void oneHiddenGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(206);
        int batch = 6, p = 9, h = 7, l = 4;
        OneHiddenDecoder dec = new OneHiddenDecoder(Matrix.uniform(h, l, -0.6f, 0.6f, rng),
                TestData.uniform(h, 0.3f, rng), Matrix.uniform(p, h, -0.6f, 0.6f, rng));
        Matrix z = TestData.gaussian(batch, l, rng), y = TestData.gaussian(batch, p, rng);
        OneHiddenDecoder.Workspace ws = dec.workspace(batch);
        double loss = ws.lossAndGradients(ops, y, z);
        int inactive = 0;
        for (float v : ws.hidden().data) {
            inactive += v == 0f ? 1 : 0;
        }
        assertTrue(inactive > 0 && inactive < batch * h, "the check should see both active and inactive hidden units");

        double[] w1 = FiniteDifference.widen(dec.W1.data), b1 = FiniteDifference.widen(dec.b1);
        double[] w2 = FiniteDifference.widen(dec.W2.data);
        DoubleLoss ref = () -> {
            double s = 0;
            for (int i = 0; i < batch; i++) {
                double[] hid = new double[h];
                for (int j = 0; j < h; j++) {
                    double v = b1[j];
                    for (int k = 0; k < l; k++) {
                        v += w1[j * l + k] * z.get(i, k);
                    }
                    hid[j] = Math.max(0, v);
                }
                for (int q = 0; q < p; q++) {
                    double yh = 0;
                    for (int j = 0; j < h; j++) {
                        yh += w2[q * h + j] * hid[j];
                    }
                    double d = y.get(i, q) - yh;
                    s += d * d;
                }
            }
            return s / ((double) batch * p);
        };
        assertEquals(ref.getAsDouble(), loss, 1e-6 * loss, "double re-evaluation of L_D");
        FiniteDifference.check("NL decoder grad W1", w1, ws.gradW1.data, ref);
        FiniteDifference.check("NL decoder grad b1", b1, ws.gradB1, ref);
        FiniteDifference.check("NL decoder grad W2", w2, ws.gradW2.data, ref);
    }

    /** PyTorch's ReLU backward passes no gradient at exactly 0: codes 0 with b1 = 0 put every hidden unit there. */
    @Test
    void reluAtExactlyZeroPassesNoGradient() {
        SplittableRandom rng = new SplittableRandom(8);
        OneHiddenDecoder nl = OneHiddenDecoder.init(10, 6, 4, rng); // b1 = 0
        OneHiddenDecoder.Workspace ws = nl.workspace(2);
        ws.lossAndGradients(ops, TestData.gaussian(2, 10, rng), new Matrix(2, 4));
        assertArrayEquals(new float[6], ws.gradB1, "no gradient reaches b1 through relu'(0)");
        assertArrayEquals(new float[6 * 4], ws.gradW1.data);

        ListaEncoder enc = ListaEncoder.init(10, 4, 3, rng); // b = 0
        ListaEncoder.Workspace ews = enc.workspace(2);
        ews.forward(ops, new Matrix(2, 10));
        ews.backward(ops, TestData.gaussian(2, 4, rng));
        assertArrayEquals(new float[4], ews.gradB, "no gradient reaches b through relu'(0)");
        assertArrayEquals(new float[4 * 4], ews.gradS.data);
    }

    @Test
    void workspaceForwardAgreesWithDecodeAndIsReusable() {
        SplittableRandom rng = new SplittableRandom(9);
        List<Decoder> decoders = List.of(LinearDictionary.init(10, 4, rng), OneHiddenDecoder.init(10, 6, 4, rng));
        System.arraycopy(TestData.uniform(6, 0.3f, rng), 0, ((OneHiddenDecoder) decoders.get(1)).b1, 0, 6);
        for (Decoder dec : decoders) {
            Matrix z1 = TestData.gaussian(3, 4, rng), z2 = TestData.gaussian(3, 4, rng);
            Matrix y = TestData.gaussian(3, 10, rng);
            DecoderWorkspace ws = dec.workspace(3);
            Matrix decoded = new Matrix(3, 10);
            dec.decode(ops, z1, decoded);
            double loss1 = ws.lossAndGradients(ops, y, z1);
            assertArrayEquals(decoded.data, ws.yHat().data, "decode() and the workspace forward pass must agree");
            float[][] grads = ws.parameters().stream().map(q -> q.grad().clone()).toArray(float[][]::new);
            ws.lossAndGradients(ops, y, z2);
            assertEquals(loss1, ws.lossAndGradients(ops, y, z1), "the same batch again gives the same loss");
            for (int i = 0; i < grads.length; i++) {
                assertArrayEquals(grads[i], ws.parameters().get(i).grad(), "gradients must not accumulate across calls");
            }
        }
    }

    @Test
    void parametersAreTheModelArraysInModuleOrder() {
        OneHiddenDecoder nl = OneHiddenDecoder.init(10, 6, 4, new SplittableRandom(3));
        List<Adam.Param> ps = nl.workspace(2).parameters();
        assertEquals(List.of("W1", "b1", "W2"), ps.stream().map(Adam.Param::name).toList());
        assertSame(nl.W1.data, ps.get(0).value());
        assertSame(nl.b1, ps.get(1).value());
        assertSame(nl.W2.data, ps.get(2).value());
        assertSame(nl.b1, Adam.Param.named(ps, "b1").value());
        assertThrows(IllegalArgumentException.class, () -> Adam.Param.named(ps, "b"));
        LinearDictionary lin = LinearDictionary.init(10, 4, new SplittableRandom(3));
        assertSame(lin.W.data, lin.workspace(2).parameters().get(0).value());
    }

    @Test
    void initFollowsPyTorchDefaults() {
        LinearDictionary lin = LinearDictionary.init(784, 128, new SplittableRandom(31));
        assertEquals(784, lin.outputDim());
        assertEquals(128, lin.codeDim());
        UniformCheck.assertUniform("linear W", lin.W, 1 / Math.sqrt(128));

        OneHiddenDecoder nl = OneHiddenDecoder.init(784, 1024, 128, new SplittableRandom(31));
        assertEquals(784, nl.outputDim());
        assertEquals(1024, nl.hiddenDim());
        assertEquals(128, nl.codeDim());
        assertArrayEquals(new float[1024], nl.b1, "the reference zeroes b1");
        UniformCheck.assertUniform("NL W1", nl.W1, 1 / Math.sqrt(128));
        UniformCheck.assertUniform("NL W2", nl.W2, 1 / Math.sqrt(1024));
        OneHiddenDecoder again = OneHiddenDecoder.init(784, 1024, 128, new SplittableRandom(31));
        assertArrayEquals(nl.W2.data, again.W2.data, "same seed, same weights");
    }

    @Test
    void rejectsBadShapes() {
        OneHiddenDecoder nl = OneHiddenDecoder.init(10, 6, 4, new SplittableRandom(3));
        OneHiddenDecoder.Workspace ws = nl.workspace(3);
        assertThrows(IllegalStateException.class, () -> ws.backward(ops, new Matrix(3, 10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ws.forward(ops, new Matrix(3, 5)));
        assertTrue(e.getMessage().contains("3x5") && e.getMessage().contains("3x4"), e.getMessage());
        ws.forward(ops, new Matrix(3, 4));
        assertThrows(IllegalArgumentException.class, () -> ws.backward(ops, new Matrix(2, 10)));
        LinearDictionary.Workspace lws = LinearDictionary.init(10, 4, new SplittableRandom(3)).workspace(3);
        assertThrows(IllegalArgumentException.class, () -> lws.forward(ops, new Matrix(4, 4)));
        assertThrows(IllegalArgumentException.class, () -> nl.workspace(-1));
        assertThrows(IllegalArgumentException.class, () -> OneHiddenDecoder.init(10, 0, 4, new SplittableRandom(3)));
    }

    @FunctionalInterface
    interface DoubleLoss extends java.util.function.DoubleSupplier {
    }
}
