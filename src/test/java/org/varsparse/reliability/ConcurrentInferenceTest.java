package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.varsparse.SparseCodingModel;
import org.varsparse.backend.Backends;
import org.varsparse.eval.Metrics;
import org.varsparse.model.Decoder;
import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;

/**
 * Thread safety as documented: one model's weights (Decoder, ListaEncoder) and one TensorOps backend are shared by
 * several threads, each with its own {@link SparseCodingModel} over them (its own FISTA workspaces); encoder codes,
 * FISTA codes and reconstructions computed concurrently equal the single-thread answers bit for bit, and the weights
 * are untouched.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 3;
    private static final int TASKS = 4;
    private static final int ROUNDS = 2;

    /** The answers for one input: E(y), FISTA codes, D(E(y)). */
    private record Answer(Matrix codes, Matrix fista, Matrix recon) {
        static Answer of(SparseCodingModel m, Matrix y) {
            Matrix codes = m.encode(y);
            return new Answer(codes, m.encodeFista(y), m.decode(codes));
        }
    }

    @ParameterizedTest(name = "{0} decoder, {1} backend")
    @CsvSource({"linear, scalar", "linear, simd", "one_hidden, scalar", "one_hidden, simd"})
    void threadsSharingWeightsAndBackendGetTheSingleThreadAnswers(String decoder, String backend) throws Exception {
        assumeTrue(!backend.equals("simd") || Backends.simdUnavailableReason() == null, "simd unavailable here");
        TensorOps ops = Backends.create(backend); // one backend, shared by every thread (simd: 2 GEMM workers)
        // γ = 5 (VDL-NL's 100 is stable only with l = 128: FISTA needs η·2γ/l below ~1)
        TrainConfig c = (decoder.equals("linear") ? Preset.MNIST_VDL : Preset.MNIST_VDL_NL).config()
                .with("codeDim", 16).with("hiddenDim", 48).with("batchSize", 20).with("maxInferenceSteps", 30)
                .with("codeReg", 5);
        int p = 784;
        SplittableRandom rng = new SplittableRandom(17);
        SparseCodingModel trainer = SparseCodingModel.create(c, p, Metrics.Normalization.MNIST, ops);
        for (int k = 0; k < 3; k++) { // trained weights, not the initial ones
            trainer.fitBatch(Matrix.uniform(c.batchSize(), p, -0.4f, 2.8f, rng));
        }
        Decoder d = trainer.decoder();
        ListaEncoder e = trainer.encoder();
        List<float[]> weights = List.of(e.W.data.clone(), e.b.clone(), e.S.data.clone());

        List<Matrix> inputs = new ArrayList<>(); // 30 rows: a batch of 20 and a final overlapping window
        for (int i = 0; i < TASKS; i++) {
            inputs.add(Matrix.uniform(30, p, -0.4f, 2.8f, rng));
        }
        SparseCodingModel single = SparseCodingModel.of(c, d, e, Metrics.Normalization.MNIST, ops);
        List<Answer> expected = inputs.stream().map(y -> Answer.of(single, y)).toList();

        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<Answer>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    SparseCodingModel mine = SparseCodingModel.of(c, d, e, Metrics.Normalization.MNIST, ops);
                    Answer[] got = new Answer[TASKS];
                    start.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int i = 0; i < TASKS; i++) { // each thread in its own order, so different work overlaps
                            int task = (i + offset) % TASKS;
                            Answer a = Answer.of(mine, inputs.get(task));
                            if (got[task] != null) {
                                assertSame(got[task], a, "thread " + offset + " repeat of task " + task);
                            }
                            got[task] = a;
                        }
                    }
                    return List.of(got);
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                List<Answer> got = results.get(t).get(120, TimeUnit.SECONDS);
                for (int i = 0; i < TASKS; i++) {
                    assertSame(expected.get(i), got.get(i), "thread " + t + ", task " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(weights.get(0), e.W.data, "inference leaves the weights alone");
        assertArrayEquals(weights.get(1), e.b);
        assertArrayEquals(weights.get(2), e.S.data);
    }

    private static void assertSame(Answer want, Answer got, String where) {
        assertEquals(want.codes().shape(), got.codes().shape(), where);
        assertArrayEquals(want.codes().data, got.codes().data, where + ": encoder codes");
        assertArrayEquals(want.fista().data, got.fista().data, where + ": FISTA codes");
        assertArrayEquals(want.recon().data, got.recon().data, where + ": reconstructions");
    }
}
