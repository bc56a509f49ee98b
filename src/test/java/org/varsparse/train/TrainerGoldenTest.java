package org.varsparse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.model.ListaEncoder;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

/**
 * Golden case 6 (train_step_vdlnl) end to end: two {@link Trainer#step}s — LISTA forward, FISTA, the decoder
 * and encoder Adam steps — on the small VDL-NL model from PyTorch 1.13 (deep-sparse main.py:352-383, float32).
 */
class TrainerGoldenTest {

    @Test
    void goldenCase6TwoTrainingSteps() {
        // MNIST VDL-NL at small size: l = 32, H = 128, B = 64, γ = 25 (golden README case 6).
        TrainConfig config = Preset.MNIST_VDL_NL.config().with("codeDim", 32).with("hiddenDim", 128)
                .with("batchSize", 64).with("codeReg", 25);
        OneHiddenDecoder dec = new OneHiddenDecoder(Golden.matrix("small_dec_nl_W1"), Golden.floats("small_dec_nl_b1"),
                Golden.matrix("small_dec_nl_W2"));
        ListaEncoder enc = new ListaEncoder(Golden.matrix("small_enc_W"), Golden.floats("small_enc_b"),
                Golden.matrix("small_enc_S"), 3);
        Trainer trainer = new Trainer(config, new ScalarOps(), dec, enc, Metrics.Normalization.MNIST);
        Matrix y = Golden.matrix("mnist250_Y");

        for (int step = 1; step <= 2; step++) {
            String prefix = "train_step_vdlnl_f32_s" + step + "_";
            Trainer.StepStats s = trainer.step(y.rowSlice(64 * (step - 1), 64 * step));
            double[] ref = Golden.array(prefix + "scalars").values(); // [L_D, L_E, PSNR, iterations, energy]
            assertEquals((int) ref[3], s.fistaIterations(), prefix + "FISTA iterations");
            GoldenCompare.assertClose(prefix + "scalars [L_D, L_E, PSNR, energy]",
                    new double[] {s.decoderLoss(), s.encoderLoss(), s.psnr(), s.energy()},
                    new double[] {ref[0], ref[1], ref[2], ref[4]}, 0, 1e-4);
        }
        String p = "train_step_vdlnl_f32_s2_";
        GoldenCompare.assertAdamParams(p + "dec_W1", dec.W1.data, 3e-4, 1e-2, 5e-3);
        GoldenCompare.assertAdamParams(p + "dec_b1", dec.b1, 3e-4, 1e-2, 5e-3);
        GoldenCompare.assertAdamParams(p + "dec_W2", dec.W2.data, 3e-4, 1e-2, 5e-3);
        GoldenCompare.assertAdamParams(p + "enc_W", enc.W.data, 1e-4, 1e-2, 5e-3);
        GoldenCompare.assertAdamParams(p + "enc_b", enc.b, 1e-4, 1e-2, 5e-3);
        GoldenCompare.assertAdamParams(p + "enc_S", enc.S.data, 1e-4, 1e-2, 5e-3);
    }

}
