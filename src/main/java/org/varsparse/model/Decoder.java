package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * A decoder D mapping codes Z (B×l) to reconstructions Ŷ (B×P).
 *
 * <p>{@link #decode} only reads the weights (and allocates its temporaries), so any number of threads may decode
 * with one decoder while nothing changes its weights; training (a {@link DecoderWorkspace} with Adam, or
 * {@link #normalizeColumns}) writes them in place and needs the decoder to itself.
 */
public sealed interface Decoder permits LinearDictionary, OneHiddenDecoder {
    /** l, the code dimension. */
    int codeDim();

    /** P, the number of pixels per output. */
    int outputDim();

    /** Ŷ = D(Z). z (B×l), out (B×P). */
    void decode(TensorOps ops, Matrix z, Matrix out);

    /** Buffers for the forward activations and parameter gradients of the decoder loss at batch size B. */
    DecoderWorkspace workspace(int batch);

    /**
     * utils.normalize_kernels(decoder, radius) (METHOD §1.8.1): every column of every weight matrix is rescaled to
     * L2 norm {@code radius} (see {@link Weights#normalizeColumns}); biases are left alone.
     */
    void normalizeColumns(float radius);

    /**
     * The L2 norm of the weights each code component writes to, one per component (l): the columns of W (linear)
     * or of W1 (NL). Without column normalization or a variance term these grow while the codes shrink (the
     * collapse the paper's variance hinge prevents), so training logs them.
     */
    double[] codeColumnNorms();
}
