package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

/**
 * Golden case 6 (train_step_vdlnl) without FISTA: the reference's FISTA codes of each step are taken from the
 * fixture, and the two decoder and encoder updates of main.py (train_decoder_step, train_encoder_step) are
 * replayed with the model workspaces and {@link Adam} configured as main.py:317-326. This pins Adam's float32
 * update, its t = 2 bias correction and the b1-only weight decay against torch 1.13.
 */
class TrainStepReplayTest {
    private final TensorOps ops = new ScalarOps();

    @Test
    void goldenCase6ParametersAfterTwoSteps() {
        OneHiddenDecoder dec = new OneHiddenDecoder(Golden.matrix("small_dec_nl_W1"), Golden.floats("small_dec_nl_b1"),
                Golden.matrix("small_dec_nl_W2"));
        ListaEncoder enc = new ListaEncoder(Golden.matrix("small_enc_W"), Golden.floats("small_enc_b"),
                Golden.matrix("small_enc_S"), 3);
        OneHiddenDecoder.Workspace dws = dec.workspace(64);
        ListaEncoder.Workspace ews = enc.workspace(64);
        List<Adam.Param> dp = dws.parameters();
        double lrD = 3e-4, lrE = 1e-4;
        Adam adamD = new Adam(List.of(
                Adam.Group.of(lrD, 1e-3, Adam.Param.named(dp, "b1")),
                Adam.Group.of(lrD, 0, Adam.Param.named(dp, "W1")),
                Adam.Group.of(lrD, 0, Adam.Param.named(dp, "W2"))));
        Adam adamE = new Adam(List.of(new Adam.Group(lrE, 0, ews.parameters())));
        Matrix y = Golden.matrix("mnist250_Y");

        for (int step = 1; step <= 2; step++) {
            String prefix = "train_step_vdlnl_f32_s" + step + "_";
            Matrix batch = y.rowSlice(64 * (step - 1), 64 * step); // (64×784)
            Matrix zEnc = ews.forward(ops, batch);
            GoldenCompare.assertClose(prefix + "Zenc", zEnc.data, 1e-3, 1e-4);
            Matrix z = Golden.matrix(prefix + "Z"); // the reference's FISTA codes
            double[] scalars = Golden.array(prefix + "scalars").values(); // [L_D, L_E, PSNR, iterations, energy]

            double lossD = dws.lossAndGradients(ops, batch, z);
            double psnr = Metrics.psnr(batch, dws.yHat(), Metrics.Normalization.MNIST); // pre-update Ŷ
            adamD.step();
            double lossE = ews.backward(ops, z);
            adamE.step();
            GoldenCompare.assertClose(prefix + "scalars [L_D, L_E, PSNR]", new double[] {lossD, lossE, psnr},
                    new double[] {scalars[0], scalars[1], scalars[2]}, 0, 1e-5);
        }

        String p = "train_step_vdlnl_f32_s2_";
        GoldenCompare.assertAdamParams(p + "dec_W1", dec.W1.data, lrD, 1e-3, 1e-3);
        GoldenCompare.assertAdamParams(p + "dec_b1", dec.b1, lrD, 1e-3, 1e-3);
        GoldenCompare.assertAdamParams(p + "dec_W2", dec.W2.data, lrD, 1e-3, 1e-3);
        GoldenCompare.assertAdamParams(p + "enc_W", enc.W.data, lrE, 1e-3, 1e-3);
        GoldenCompare.assertAdamParams(p + "enc_b", enc.b, lrE, 1e-3, 1e-3);
        GoldenCompare.assertAdamParams(p + "enc_S", enc.S.data, lrE, 1e-3, 1e-3);
    }

}
