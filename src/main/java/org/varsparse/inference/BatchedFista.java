package org.varsparse.inference;

import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * FISTA codes for any number of rows N with a solver of batch size B. The variance term couples the rows of a
 * batch, so the codes depend on the batching: rows are solved in batches of B in row order; with N not a
 * multiple of B the last rows are solved within the final window of B rows (rows N−B .. N−1), and only the rows
 * not yet solved are taken from it. N must be at least B.
 */
public final class BatchedFista {

    private BatchedFista() {
    }

    /** The codes (N×l) and the most FISTA iterations any batch ran. */
    public record Result(Matrix codes, int iterations) {
    }

    /**
     * @param encoder E, for Z⁰ and the code term; may be null when the solver's config uses neither
     * @param y       inputs (N×P), N ≥ {@code fista.batchSize()}
     */
    public static Result solve(TensorOps ops, CodeSolver fista, ListaEncoder encoder, Matrix y) {
        int b = fista.batchSize();
        if (y.rows < b) {
            throw new IllegalArgumentException("FISTA in batches of " + b + " needs at least " + b + " rows, got "
                    + y.rows);
        }
        if (encoder == null && fista.config().needsEncoderCodes()) {
            throw new IllegalArgumentException("this FISTA config starts at or anchors to E(y) (encoderInit or "
                    + "codeReg > 0) but no encoder was given");
        }
        int l = fista.codeDim();
        Matrix out = new Matrix(y.rows, l);
        Matrix batch = new Matrix(b, y.cols); // (B×P)
        Matrix e = encoder == null ? null : new Matrix(b, l); // (B×l)
        Matrix z = new Matrix(b, l); // (B×l)
        int most = 0;
        for (int start = 0; start < y.rows; start += b) {
            int from = Math.min(start, y.rows - b); // the final window may overlap rows already solved
            System.arraycopy(y.data, from * y.cols, batch.data, 0, b * y.cols);
            if (encoder != null) {
                encoder.encode(ops, batch, e);
            }
            most = Math.max(most, fista.solve(batch, e, z).iterations());
            int skip = start - from;
            System.arraycopy(z.data, skip * l, out.data, start * l, (b - skip) * l);
        }
        return new Result(out, most);
    }
}
