package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The linear dictionary (models/linear_dictionary.py): Ŷ = Z·Wᵀ, no bias. W is P×l (nn.Linear(l → P)
 * layout); its columns are the atoms.
 */
public final class LinearDictionary implements Decoder {
    public final Matrix W; // (P×l)

    public LinearDictionary(Matrix w) {
        this.W = w;
    }

    @Override
    public int codeDim() {
        return W.cols;
    }

    @Override
    public int outputDim() {
        return W.rows;
    }

    @Override
    public void decode(TensorOps ops, Matrix z, Matrix out) {
        ops.gemmNT(1f, z, W, 0f, out); // (B×l)·(l×P)
    }
}
