package org.varsparse.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.varsparse.eval.Metrics;
import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.FistaResult;
import org.varsparse.model.Decoder;
import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * Test-set evaluation (METHOD.md §4.1–4.3): the test images in order, batches of B, the last partial batch
 * dropped. PSNR (mean per image, [0,1] pixels, R = 1) and sparsity (fraction of exact zeros) of the encoder
 * codes E(y) and of the FISTA codes (started at and anchored to E(y)); denoising: y_noisy = y + σ·N(0, I) in
 * normalized units, seeded, then D(E(y_noisy)) against the clean y (no FISTA at test time).
 */
final class Evaluation {
    private Evaluation() {
    }

    /** One noise level; names as in the reference's eval_denoising.py. */
    record Denoising(double sigma, double psnrNoisyImg, double psnrOrig, double psnrNoisyRec, double l0Orig,
                     double l0Noisy) {
    }

    /** FISTA codes: PSNR, sparsity, mean batch iterations and mean per-row active steps. */
    record FistaStats(double psnr, double sparsity, double iterations, double meanSteps) {
    }

    record Result(int images, int batchSize, double encoderPsnr, double encoderSparsity, FistaStats fista,
                  List<Denoising> denoising) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test_images", images);
            m.put("batch_size", batchSize);
            m.put("encoder", Map.of("psnr", encoderPsnr, "sparsity", encoderSparsity));
            if (fista != null) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("psnr", fista.psnr());
                f.put("sparsity", fista.sparsity());
                f.put("iterations", fista.iterations());
                f.put("mean_active_steps", fista.meanSteps());
                m.put("fista", f);
            } else {
                m.put("fista", null);
            }
            List<Map<String, Object>> dn = new ArrayList<>();
            for (Denoising d : denoising) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("sigma", d.sigma());
                x.put("psnr_noisy_img", d.psnrNoisyImg());
                x.put("psnr_orig", d.psnrOrig());
                x.put("psnr_noisy_rec", d.psnrNoisyRec());
                x.put("L0_orig", d.l0Orig());
                x.put("L0_noisy", d.l0Noisy());
                dn.add(x);
            }
            m.put("denoising", dn);
            return m;
        }
    }

    /**
     * Evaluates on {@code test} (N×P); {@code noiseSeed} seeds one Gaussian stream per σ (the same draws for
     * every σ, scaled).
     */
    /**
     * On any data: {@code maps} (N×P each; null for MNIST) dewhiten LCN patches for the PSNR (the clean
     * patch's maps for the noisy image and its reconstruction too, as eval_denoising.py), {@code norm} maps back
     * to [0,1].
     */
    static Result run(TrainConfig config, TensorOps ops, Decoder decoder, ListaEncoder encoder, Matrix test,
                      Metrics.LcnMaps maps, Metrics.Normalization norm, double[] sigmas, boolean fista, long noiseSeed) {
        int b = config.batchSize();
        int batches = test.rows / b;
        if (batches == 0) {
            throw new IllegalArgumentException("test set of " + test.rows + " rows is smaller than one batch of " + b);
        }
        int l = config.codeDim(), p = test.cols;
        Matrix y = new Matrix(b, p);     // (B×P)
        Matrix noisy = new Matrix(b, p); // (B×P)
        Matrix out = new Matrix(b, p);   // (B×P)
        Matrix codes = new Matrix(b, l); // (B×l) E(y)
        Matrix z = new Matrix(b, l);     // (B×l) FISTA codes or E(y_noisy)
        Metrics.LcnMaps bm = maps == null ? null : Metrics.LcnMaps.allocate(b, p); // (B×P) each
        CodeSolver solver = fista ? CodeSolver.create(ops, decoder, b, Trainer.fistaConfig(config)) : null;
        double encPsnr = 0, encL0 = 0, fPsnr = 0, fL0 = 0, fIt = 0, fSteps = 0;
        double[] noisyImg = new double[sigmas.length], noisyRec = new double[sigmas.length],
                noisyL0 = new double[sigmas.length];
        SplittableRandom[] rngs = new SplittableRandom[sigmas.length];
        for (int s = 0; s < sigmas.length; s++) {
            rngs[s] = new SplittableRandom(noiseSeed);
        }
        for (int k = 0; k < batches; k++) {
            System.arraycopy(test.data, k * b * p, y.data, 0, b * p);
            if (bm != null) {
                maps.rows(k * b, bm);
            }
            encoder.encode(ops, y, codes);
            decoder.decode(ops, codes, out);
            encPsnr += Metrics.psnr(y, out, bm, norm);
            encL0 += Metrics.l0(codes);
            if (solver != null) {
                FistaResult r = solver.solve(y, codes, z);
                decoder.decode(ops, z, out);
                fPsnr += Metrics.psnr(y, out, bm, norm);
                fL0 += Metrics.l0(z);
                fIt += r.iterations();
                fSteps += r.meanSteps();
            }
            for (int s = 0; s < sigmas.length; s++) {
                float sigma = (float) sigmas[s];
                for (int i = 0; i < b * p; i++) {
                    noisy.data[i] = y.data[i] + sigma * (float) rngs[s].nextGaussian();
                }
                noisyImg[s] += Metrics.psnr(y, noisy, bm, norm);
                encoder.encode(ops, noisy, z);
                decoder.decode(ops, z, out);
                noisyRec[s] += Metrics.psnr(y, out, bm, norm);
                noisyL0[s] += Metrics.l0(z);
            }
        }
        List<Denoising> dn = new ArrayList<>();
        for (int s = 0; s < sigmas.length; s++) {
            dn.add(new Denoising(sigmas[s], noisyImg[s] / batches, encPsnr / batches, noisyRec[s] / batches,
                    encL0 / batches, noisyL0[s] / batches));
        }
        FistaStats f = solver == null ? null
                : new FistaStats(fPsnr / batches, fL0 / batches, fIt / batches, fSteps / batches);
        return new Result(batches * b, b, encPsnr / batches, encL0 / batches, f, dn);
    }
}
