package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** A decoder D mapping codes Z (B×l) to reconstructions Ŷ (B×P). */
public sealed interface Decoder permits LinearDictionary, OneHiddenDecoder {
    /** l, the code dimension. */
    int codeDim();

    /** P, the number of pixels per output. */
    int outputDim();

    /** Ŷ = D(Z). z (B×l), out (B×P). */
    void decode(TensorOps ops, Matrix z, Matrix out);
}
