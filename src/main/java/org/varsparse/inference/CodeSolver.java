package org.varsparse.inference;

import org.varsparse.model.Decoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Infers the codes of a batch for a frozen decoder (METHOD.md §1.4): {@link Fista} on a CPU backend, or a
 * backend's own solver (the TornadoVM backend runs the whole solve on its device). One instance serves one
 * decoder, one batch size and one config, is reused across batches and is not thread-safe.
 */
public interface CodeSolver {

    /** B, the batch size this solver was built for. */
    int batchSize();

    /** l, the code dimension. */
    int codeDim();

    FistaConfig config();

    /**
     * The codes of the batch y, written into {@code out} (B×l), which the result's {@code codes} is.
     *
     * @param encoderCodes E(y) (B×l): Z⁰ and the code-term target; may be null when the config uses neither
     */
    FistaResult solve(Matrix y, Matrix encoderCodes, Matrix out);

    /**
     * Checks the arguments of {@link #solve} once, for every implementation: y (B×P), encoderCodes (B×l, or null
     * when the config uses neither Z⁰ = E nor the code term), out (B×l).
     *
     * @throws IllegalArgumentException naming the argument, its shape and the shape it needs
     */
    static void checkSolveArguments(CodeSolver s, int outputDim, Matrix y, Matrix encoderCodes, Matrix out) {
        int b = s.batchSize(), l = s.codeDim();
        if (y == null || y.rows != b || y.cols != outputDim) {
            throw new IllegalArgumentException("y is " + (y == null ? "null" : y.shape()) + ", needs B×P = "
                    + b + "x" + outputDim);
        }
        if (encoderCodes == null ? s.config().needsEncoderCodes() : encoderCodes.rows != b || encoderCodes.cols != l) {
            throw new IllegalArgumentException("encoderCodes is " + (encoderCodes == null ? "null" : encoderCodes.shape())
                    + ", needs B×l = " + b + "x" + l + (encoderCodes == null ? " (the config uses E)" : ""));
        }
        if (out == null || out.rows != b || out.cols != l) {
            throw new IllegalArgumentException("out is " + (out == null ? "null" : out.shape()) + ", needs " + b + "x" + l);
        }
    }

    /**
     * The solver for {@code ops}: the backend's own when it is a {@link Factory}, else {@link Fista} on
     * {@code ops}. This is what the trainer and the model call.
     */
    static CodeSolver create(TensorOps ops, Decoder decoder, int batchSize, FistaConfig config) {
        if (ops instanceof Factory f) {
            return f.codeSolver(decoder, batchSize, config);
        }
        return new Fista(ops, decoder, batchSize, config);
    }

    /** Implemented by a {@link TensorOps} backend that brings its own solver (e.g. the TornadoVM backend). */
    interface Factory {
        CodeSolver codeSolver(Decoder decoder, int batchSize, FistaConfig config);
    }
}
