package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.io.Npy;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * One training epoch (3 batches of 64 MNIST rows, VDL-NL at l 32, H 128, γ 25: the golden case 6 sizes) with
 * the tornado backend (device GEMMs for the encoder and decoder passes, device FISTA) equals the same epoch on
 * the scalar oracle: same FISTA iterations per batch, epoch means within 1e-4 relative, and decoder weights
 * within 2.1·lr per Adam step (FISTA codes that differ in the last bits may flip the sign of a near-zero
 * gradient entry, as TrainerGoldenTest explains).
 */
class TrainingEpochTest {

    @Test
    void oneEpochMatchesTheCpu() throws Exception {
        TrainConfig config = Preset.MNIST_VDL_NL.config().with("codeDim", 32).with("hiddenDim", 128)
                .with("batchSize", 64).with("codeReg", 25);
        Matrix data = Npy.read(TornadoTestSupport.GOLDEN.resolve("mnist250_Y.npy")).toMatrix().rowSlice(0, 192);
        int[] order = IntStream.range(0, 192).map(i -> (i * 37) % 192).toArray(); // a fixed permutation
        Trainer.EpochStats want = epoch(config, new ScalarOps(), data, order);
        Trainer cpu = trainer;
        Trainer.EpochStats got = epoch(config, TornadoTestSupport.ops(), data, order);
        System.out.println("cpu:     " + want);
        System.out.println("tornado: " + got);
        assertEquals(want.batches(), got.batches());
        assertEquals(want.fistaIterations(), got.fistaIterations(), 0, "mean FISTA iterations");
        double[][] pairs = {{want.decoderLoss(), got.decoderLoss()}, {want.encoderLoss(), got.encoderLoss()},
                {want.psnr(), got.psnr()}, {want.energy(), got.energy()}, {want.meanSteps(), got.meanSteps()}};
        for (double[] p : pairs) {
            assertEquals(p[0], p[1], 1e-4 * Math.abs(p[0]), "epoch mean");
        }
        OneHiddenDecoder a = (OneHiddenDecoder) cpu.decoder(), b = (OneHiddenDecoder) trainer.decoder();
        double bound = 2.1 * config.lrDecoder() * want.batches();
        double d = Math.max(maxAbs(a.W1.data, b.W1.data), Math.max(maxAbs(a.W2.data, b.W2.data), maxAbs(a.b1, b.b1)));
        System.out.printf("decoder weights: max |Δ| %.3g (bound %.3g)%n", d, bound);
        assertTrue(d <= bound, "decoder weights differ by " + d);
    }

    private Trainer trainer;

    private Trainer.EpochStats epoch(TrainConfig config, TensorOps ops, Matrix data, int[] order) {
        trainer = new Trainer(config, ops, data.cols, Metrics.Normalization.MNIST);
        return trainer.trainEpoch(0, data, order, null);
    }

    private static double maxAbs(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
