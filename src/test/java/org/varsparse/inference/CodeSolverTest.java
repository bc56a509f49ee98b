package org.varsparse.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** The hook through which a backend (the TornadoVM one) supplies its own FISTA solver to the trainer and the model. */
class CodeSolverTest {
    private final Decoder decoder = LinearDictionary.init(6, 3, new SplittableRandom(1));

    @Test
    void aPlainBackendGetsFista() {
        CodeSolver s = CodeSolver.create(new ScalarOps(), decoder, 4, FistaConfig.mnistVdl());
        assertInstanceOf(Fista.class, s);
        assertEquals(4, s.batchSize());
    }

    /** A backend that is a Factory supplies the solver; nothing else is consulted. */
    @Test
    void aFactoryBackendSuppliesItsOwnSolver() {
        CodeSolver own = new CodeSolver() {
            public int batchSize() {
                return 4;
            }

            public int codeDim() {
                return 3;
            }

            public FistaConfig config() {
                return FistaConfig.mnistVdl();
            }

            public FistaResult solve(Matrix y, Matrix e, Matrix out) {
                return new FistaResult(out, 0, new int[4], null);
            }
        };
        assertSame(own, CodeSolver.create(new DeviceOps(own), decoder, 4, FistaConfig.mnistVdl()));
    }

    /** A backend with its own solver; its tensor kernels are never called here. */
    private static final class DeviceOps extends TensorOps implements CodeSolver.Factory {
        private final CodeSolver solver;

        DeviceOps(CodeSolver solver) {
            this.solver = solver;
        }

        @Override
        public CodeSolver codeSolver(Decoder d, int b, FistaConfig c) {
            return solver;
        }

        @Override
        public String name() {
            return "device";
        }

        private static UnsupportedOperationException no() {
            return new UnsupportedOperationException("not used");
        }

        @Override protected void gemmNN(float alpha, Matrix a, Matrix b, float beta, Matrix c) { throw no(); }
        @Override protected void gemmNTKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) { throw no(); }
        @Override protected void gemmTNKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) { throw no(); }
        @Override protected void rowSumsKernel(Matrix a, float[] out) { throw no(); }
        @Override protected void colSumsKernel(Matrix a, float[] out) { throw no(); }
        @Override protected void colStdKernel(Matrix a, float[] mean, float[] out) { throw no(); }
        @Override protected void rowNormsKernel(Matrix a, float[] out) { throw no(); }
        @Override protected void rowSquaredDistancesKernel(Matrix a, Matrix b, float[] out) { throw no(); }
        @Override protected void softThresholdNonNegKernel(Matrix x, float t, Matrix out) { throw no(); }
        @Override protected void axpbyKernel(float alpha, Matrix x, float beta, Matrix y) { throw no(); }
        @Override protected void fistaMomentumKernel(Matrix z, Matrix zOld, float coef, Matrix aux) { throw no(); }
        @Override protected void reluKernel(Matrix x, Matrix out) { throw no(); }
        @Override protected void reluBackwardKernel(Matrix pre, Matrix grad) { throw no(); }
        @Override protected void maskedProxStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda,
                                                      Matrix z) { throw no(); }
        @Override protected void addRowVectorKernel(Matrix x, float[] v) { throw no(); }
    }
}
