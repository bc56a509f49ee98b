package org.varsparse.inference;

/**
 * Hyperparameters of FISTA inference (METHOD.md §1.2–1.4), named after the reference's flags.
 *
 * <p>The energy minimised, in the reference's units (utils.loss_f, utils.py:223-249):
 * <pre>
 *   Σ_i (1/P)‖y_i − D(z_i)‖² + λ Σ_i ‖z_i‖₁ + β Σ_j max(0, T − σ_j(Z))² + γ Σ_i (1/l)‖z_i − e_i‖²,  z ≥ 0
 * </pre>
 * with σ_j the unbiased standard deviation of code component j over the batch. Positivity
 * ({@code --positive_ISTA}) and FISTA momentum ({@code --FISTA}) are always on, as in every script.
 *
 * | field | reference flag | symbol |
 * |---|---|---|
 * | sparsityReg | sparsity_reg | λ |
 * | codeStepSize | lrt_Z | η |
 * | varianceReg | variance_reg | β |
 * | hingeThreshold | hinge_threshold | T |
 * | codeReg | code_reg | γ |
 * | maxInferenceSteps | n_steps_inf | K |
 * | tolerance | stop_early | tol |
 * | encoderInit | use_Zs_enc_as_init | Z⁰ = E (else Z⁰ = 0) |
 * | freezeConverged | (none) | see below |
 *
 * <p>{@code freezeConverged = false} is the reference behaviour (METHOD.md §1.4, §7.5): the per-sample
 * "stopped" mask is recomputed every iteration, a stopped row takes the gradient-free step
 * z = max(0, aux) (so it keeps drifting along the momentum and may un-stop). With {@code true}, a row
 * whose relative change falls below tol is frozen for the rest of the solve: its code (and momentum
 * point) stay exactly at the value of that iteration, it never un-stops and stops counting steps; its
 * code still enters the batch statistics σ_j of the hinge term. The loop ends when every row is frozen.
 */
public record FistaConfig(
        double sparsityReg,
        double codeStepSize,
        double varianceReg,
        double hingeThreshold,
        double codeReg,
        int maxInferenceSteps,
        double tolerance,
        boolean encoderInit,
        boolean freezeConverged) {

    public FistaConfig {
        nonNegative("sparsityReg (λ, sparsity_reg)", sparsityReg);
        if (!(codeStepSize > 0) || !Double.isFinite(codeStepSize)) {
            throw new IllegalArgumentException("codeStepSize (η, lrt_Z) must be finite and > 0, got " + codeStepSize);
        }
        nonNegative("varianceReg (β, variance_reg)", varianceReg);
        nonNegative("hingeThreshold (T, hinge_threshold)", hingeThreshold);
        nonNegative("codeReg (γ, code_reg)", codeReg);
        if (maxInferenceSteps < 0) {
            throw new IllegalArgumentException("maxInferenceSteps (K, n_steps_inf) must be >= 0, got " + maxInferenceSteps);
        }
        nonNegative("tolerance (tol, stop_early)", tolerance);
    }

    /** The reference's semantics: encoder initialisation, no freezing. */
    public static FistaConfig of(double sparsityReg, double codeStepSize, double varianceReg, double hingeThreshold,
                                 double codeReg, int maxInferenceSteps, double tolerance) {
        return new FistaConfig(sparsityReg, codeStepSize, varianceReg, hingeThreshold, codeReg, maxInferenceSteps,
                tolerance, true, false);
    }

    /** MNIST SDL (linear, unit-norm atoms): λ 0.005, η 1, β 0, γ 1 (METHOD.md §3). */
    public static FistaConfig mnistSdl() {
        return of(0.005, 1.0, 0, 0.5, 1, 200, 1e-3);
    }

    /** MNIST VDL (linear, variance hinge): λ 0.02, η 0.5, β 10, T 0.5, γ 5 (METHOD.md §3). */
    public static FistaConfig mnistVdl() {
        return of(0.02, 0.5, 10, 0.5, 5, 200, 1e-3);
    }

    /** MNIST SDL-NL (one hidden layer, unit-norm columns): λ 0.01, η 1, β 0, γ 1 (METHOD.md §3). */
    public static FistaConfig mnistSdlNl() {
        return of(0.01, 1.0, 0, 0.5, 1, 200, 1e-3);
    }

    /** MNIST VDL-NL (one hidden layer, variance hinge): λ 0.01, η 0.5, β 10, T 0.5, γ 100 (METHOD.md §3). */
    public static FistaConfig mnistVdlNl() {
        return of(0.01, 0.5, 10, 0.5, 100, 200, 1e-3);
    }

    public FistaConfig withCodeReg(double codeReg) {
        return new FistaConfig(sparsityReg, codeStepSize, varianceReg, hingeThreshold, codeReg, maxInferenceSteps,
                tolerance, encoderInit, freezeConverged);
    }

    public FistaConfig withMaxInferenceSteps(int maxInferenceSteps) {
        return new FistaConfig(sparsityReg, codeStepSize, varianceReg, hingeThreshold, codeReg, maxInferenceSteps,
                tolerance, encoderInit, freezeConverged);
    }

    public FistaConfig withEncoderInit(boolean encoderInit) {
        return new FistaConfig(sparsityReg, codeStepSize, varianceReg, hingeThreshold, codeReg, maxInferenceSteps,
                tolerance, encoderInit, freezeConverged);
    }

    public FistaConfig withFreezeConverged(boolean freezeConverged) {
        return new FistaConfig(sparsityReg, codeStepSize, varianceReg, hingeThreshold, codeReg, maxInferenceSteps,
                tolerance, encoderInit, freezeConverged);
    }

    /** Whether the solve reads the encoder prediction E (for Z⁰ or for the code term). */
    public boolean needsEncoderCodes() {
        return encoderInit || codeReg > 0;
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
        }
    }
}
