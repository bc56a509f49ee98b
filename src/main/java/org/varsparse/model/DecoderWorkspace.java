package org.varsparse.model;

import java.util.List;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Forward activations and parameter gradients of the decoder loss (main.py:133-144, METHOD §1.8, §1.11)
 * <pre>  L_D = MSE(Y, D(Z), 'mean') = (1/(B·P)) Σ_{i,p} (y_ip − ŷ_ip)²  </pre>
 * for one decoder and one batch size B; allocated once and reused every batch. Use:
 * {@code forward(ops, z)} (stores the activations, returns Ŷ), then {@code backward(ops, y)} (returns L_D and
 * fills the gradient buffers of {@link #parameters()}). The stored Z is a reference: leave it unchanged until
 * {@code backward} has run. Not thread-safe.
 */
public sealed interface DecoderWorkspace permits LinearDictionary.Workspace, OneHiddenDecoder.Workspace {
    /** B. */
    int batchSize();

    /** Ŷ = D(Z) (B×P), stored. z (B×l). */
    Matrix forward(TensorOps ops, Matrix z);

    /** L_D for the last forward pass against y (B×P), and ∇_θ L_D into the gradient buffers. */
    double backward(TensorOps ops, Matrix y);

    /** forward then backward. */
    default double lossAndGradients(TensorOps ops, Matrix y, Matrix z) {
        forward(ops, z);
        return backward(ops, y);
    }

    /** Ŷ from the last forward pass (B×P). */
    Matrix yHat();

    /**
     * The decoder's parameters, each with its gradient buffer, in the reference's parameter order
     * (linear: W; NL: W1, b1, W2). The values are the model's own arrays: an optimizer step updates the model.
     */
    List<Adam.Param> parameters();
}
