package org.varsparse.train;

import org.varsparse.UserError;

/** Training produced NaN or infinity; the message names the hyperparameter to change. */
public final class DivergenceException extends UserError {
    private static final long serialVersionUID = 1L;

    public DivergenceException(String message) {
        super(message);
    }
}
