package org.varsparse.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.eval.Metrics.Normalization;
import org.varsparse.model.TestData;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

class MetricsTest {

    /**
     * Golden case 7 (metrics): utils.PSNR(Y[0:64], case 5's linear Ŷ, 'MNIST') per image and mean, the edge
     * variant (row 0 predicted exactly: the 1e-4 dummy, 40 dB), PSNR(Y, Y + noise) over 250 images, and
     * utils.L0(decoder_grads_Z); PyTorch 1.13 float32 and float64.
     */
    @Test
    void goldenCase7() {
        Matrix y = Golden.matrix("mnist250_Y"); // (250×784)
        Matrix target = y.rowSlice(0, 64);
        Matrix pred = Golden.matrix("decoder_grads_f32_lin_Yhat");
        double[] f32 = Golden.array("metrics_f32_scalars").values(); // [PSNR, L0, edge PSNR, noisy PSNR]
        double[] f64 = Golden.array("metrics_f64_scalars").values();

        double[] per = new double[64];
        Metrics.psnrPerImage(target, pred, Normalization.MNIST, per);
        GoldenCompare.assertClose("metrics_f32_psnr_per_image", per, Golden.array("metrics_f32_psnr_per_image").values(), 0, 1e-6);
        GoldenCompare.assertClose("metrics_f64_psnr_per_image", per, Golden.array("metrics_f64_psnr_per_image").values(), 0, 1e-6);
        double mean = Metrics.psnr(target, pred, Normalization.MNIST);
        GoldenCompare.assertClose("metrics scalars: PSNR mean (f32)", new double[] {mean}, new double[] {f32[0]}, 0, 1e-6);
        GoldenCompare.assertClose("metrics scalars: PSNR mean (f64)", new double[] {mean}, new double[] {f64[0]}, 0, 1e-6);

        Matrix edge = pred.copy();
        System.arraycopy(target.data, 0, edge.data, 0, target.cols);
        Metrics.psnrPerImage(target, edge, Normalization.MNIST, per);
        assertEquals(40.0, per[0], 0, "a perfect reconstruction scores 10·log10(1/1e-4)");
        GoldenCompare.assertClose("metrics_f32_psnr_edge_per_image", per, Golden.array("metrics_f32_psnr_edge_per_image").values(), 0, 1e-6);
        // f64 reference: its dummy is float32(1e-4), so image 0 reads 40.00000010971202 there (golden README, Surprises 3).
        GoldenCompare.assertClose("metrics_f64_psnr_edge_per_image", per, Golden.array("metrics_f64_psnr_edge_per_image").values(), 0, 1e-6);
        GoldenCompare.assertClose("metrics scalars: edge PSNR mean (f32)",
                new double[] {Metrics.psnr(target, edge, Normalization.MNIST)}, new double[] {f32[2]}, 0, 1e-6);

        Matrix noise = Golden.matrix("metrics_noise");
        Matrix noisy = new Matrix(y.rows, y.cols);
        for (int i = 0; i < noisy.data.length; i++) {
            noisy.data[i] = y.data[i] + noise.data[i]; // utils.add_noise_to_img with sigma 1, in float32
        }
        double[] perNoisy = new double[250];
        Metrics.psnrPerImage(y, noisy, Normalization.MNIST, perNoisy);
        GoldenCompare.assertClose("metrics_f32_psnr_noisy_per_image", perNoisy, Golden.array("metrics_f32_psnr_noisy_per_image").values(), 0, 1e-6);
        GoldenCompare.assertClose("metrics_f64_psnr_noisy_per_image", perNoisy, Golden.array("metrics_f64_psnr_noisy_per_image").values(), 0, 1e-6);
        GoldenCompare.assertClose("metrics scalars: noisy PSNR mean (f32)",
                new double[] {Metrics.psnr(y, noisy, Normalization.MNIST)}, new double[] {f32[3]}, 0, 1e-6);

        double l0 = Metrics.l0(Golden.matrix("decoder_grads_Z"));
        assertEquals(f32[1], l0, 0, "L0 (991/2048 in the reference)");
        assertEquals(f64[1], l0, 0);
    }

    /** METHOD §4.3: at sigma = 1 (normalized units) the noisy MNIST input scores 10·log10(1/0.3081²) ≈ 10.23 dB. */
    @Test
    void noisyInputPsnrMatchesTheAnalyticValue() {
        SplittableRandom rng = new SplittableRandom(31);
        int n = 2000, p = 784;
        Matrix y = new Matrix(n, p);
        for (int i = 0; i < y.data.length; i++) {
            y.data[i] = (float) ((rng.nextInt(256) / 255.0 - 0.1307) / 0.3081); // random pixels, normalized
        }
        Matrix noisy = TestData.gaussian(n, p, rng);
        for (int i = 0; i < noisy.data.length; i++) {
            noisy.data[i] += y.data[i];
        }
        double psnr = Metrics.psnr(y, noisy, Normalization.MNIST);
        double analytic = 10 * Math.log10(1 / (0.3081 * 0.3081));
        System.out.printf("noisy-input PSNR over %d random images: %.4f dB (analytic %.4f dB)%n", n, psnr, analytic);
        assertEquals(10.23, analytic, 0.005);
        assertEquals(analytic, psnr, 0.05);
    }

    @Test
    void psnrByHand() {
        // Two 4-pixel images in normalized units with std 0.5, mean 0.2: pixel error = 0.5·(model-space error).
        Normalization norm = new Normalization(0.2f, 0.5f);
        Matrix target = Matrix.of(2, 4, 0f, 1f, 2f, 3f, -1f, 0f, 1f, 0f);
        Matrix pred = Matrix.of(2, 4, 0.2f, 1.2f, 1.8f, 2.8f, -1f, 0f, 1f, 0.4f);
        double[] per = new double[2];
        Metrics.psnrPerImage(target, pred, norm, per);
        assertEquals(10 * Math.log10(1 / (0.25 * 0.04)), per[0], 1e-5); // MSE = 0.25·0.04 = 0.01 → 20 dB
        assertEquals(10 * Math.log10(1 / (0.25 * 0.04)), per[1], 1e-5); // MSE = 0.25·0.16/4 = 0.01 → 20 dB
        assertEquals((per[0] + per[1]) / 2, Metrics.psnr(target, pred, norm), 1e-12);

        // LCN: both images dewhitened with the target's maps before the inverse normalization.
        Matrix meanMap = Matrix.of(2, 4, 5f, 5f, 5f, 5f, -3f, -3f, -3f, -3f);
        Matrix stdMap = Matrix.of(2, 4, 2f, 2f, 2f, 2f, 0.5f, 0.5f, 0.5f, 0.5f);
        Metrics.psnrPerImage(target, pred, meanMap, stdMap, norm, per);
        assertEquals(10 * Math.log10(1 / (4 * 0.25 * 0.04)), per[0], 1e-4); // error ×2 → MSE ×4
        assertEquals(10 * Math.log10(1 / (0.25 * 0.25 * 0.04)), per[1], 1e-4); // error ×0.5 → MSE ×0.25
    }

    @Test
    void l0CountsExactZerosPerSample() {
        Matrix z = Matrix.of(3, 4,
                0f, 1f, 0f, 2f,          // 2/4
                -0f, 0f, 0f, 0f,         // 4/4: −0 is zero
                Float.NaN, 1e-30f, 3f, 0f); // 1/4: NaN and tiny values are not
        assertEquals((0.5 + 1.0 + 0.25) / 3, Metrics.l0(z), 1e-15);
    }

    @Test
    void rejectsBadInput() {
        Matrix a = new Matrix(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Metrics.psnr(a, new Matrix(2, 4), Normalization.MNIST));
        assertThrows(IllegalArgumentException.class, () -> Metrics.psnrPerImage(a, a, Normalization.MNIST, new double[3]));
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.psnr(a, a, new Matrix(2, 3), new Matrix(3, 2), Normalization.MNIST));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Metrics.l0(new Matrix(0, 3)));
    }
}
