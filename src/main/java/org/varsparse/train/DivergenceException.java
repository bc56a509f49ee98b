package org.varsparse.train;

import java.util.List;
import java.util.Locale;
import org.varsparse.UserError;

/**
 * Training produced NaN or infinity: thrown at the step where it appears, before the weights take the values
 * further (or a checkpoint saves them). Names the hyperparameters to lower, most likely first, by their
 * {@link TrainConfig} field names; the command line reports them as its options.
 */
public final class DivergenceException extends UserError {
    private static final long serialVersionUID = 1L;

    private final String quantity;
    private final double value;
    private final List<String> hyperparameters;
    private final String where;

    /**
     * @param quantity        what became non-finite, e.g. "the training energy"
     * @param value           its value (NaN or ±infinity)
     * @param hyperparameters TrainConfig fields to lower, most likely first (at least one)
     */
    public DivergenceException(String quantity, double value, List<String> hyperparameters) {
        this(quantity, value, hyperparameters, "at a training step");
    }

    private DivergenceException(String quantity, double value, List<String> hyperparameters, String where) {
        super(hyperparameters.get(0) + ": " + problem(where, quantity, value) + ". Fix: lower "
                + String.join(" or ", hyperparameters) + ", or check the input data for NaN");
        this.quantity = quantity;
        this.value = value;
        this.hyperparameters = List.copyOf(hyperparameters);
        this.where = where;
    }

    /** The same divergence, located at training batch {@code batch} of epoch {@code epoch} (both 0-based). */
    public DivergenceException atBatch(int epoch, int batch) {
        return withCause(new DivergenceException(quantity, value, hyperparameters,
                String.format(Locale.ROOT, "at epoch %d, batch %d", epoch + 1, batch + 1)));
    }

    /** The same divergence, located in the validation after epoch {@code epoch} (0-based). */
    public DivergenceException inValidation(int epoch) {
        return withCause(new DivergenceException(quantity, value, hyperparameters,
                "in the validation after epoch " + (epoch + 1)));
    }

    private DivergenceException withCause(DivergenceException located) {
        located.initCause(this);
        return located;
    }

    /** What became non-finite, e.g. "the training energy". */
    public String quantity() {
        return quantity;
    }

    public double value() {
        return value;
    }

    /** TrainConfig field names to lower, most likely first. */
    public List<String> hyperparameters() {
        return hyperparameters;
    }

    /** "training diverged at epoch 2, batch 17: the training energy became NaN". */
    public String problem() {
        return problem(where, quantity, value);
    }

    private static String problem(String where, String quantity, double value) {
        return "training diverged " + where + ": " + quantity + " became " + value;
    }
}
