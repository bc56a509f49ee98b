package org.varsparse.inference;

import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;

/**
 * The FISTA golden cases of shared/golden/README.md (reference utils.ISTA at deep-sparse 70562a3, PyTorch 1.13):
 * inputs and hyperparameters exactly as listed there.
 */
record GoldenCases(String name, Matrix y, Decoder decoder, Matrix e, FistaConfig config) {

    /** Case 1: linear dictionary, MNIST VDL parameters, B×P×l = 250×784×128. */
    static GoldenCases linearVdl() {
        return new GoldenCases("fista_linear_vdl", Golden.matrix("mnist250_Y"),
                new LinearDictionary(Golden.matrix("fista_linear_vdl_W")), Golden.matrix("fista_linear_vdl_E"),
                FistaConfig.of(0.02, 0.5, 10, 0.5, 5, 200, 1e-3));
    }

    /** Case 3: unit-norm linear dictionary, MNIST SDL parameters (β = 0). */
    static GoldenCases linearSdl() {
        return new GoldenCases("fista_linear_sdl", Golden.matrix("mnist250_Y"),
                new LinearDictionary(Golden.matrix("fista_linear_sdl_W")), Golden.matrix("fista_linear_vdl_E"),
                FistaConfig.of(0.005, 1.0, 0, 0.5, 1, 200, 1e-3));
    }

    /** Case 2: one hidden layer (l 32, H 128), B = 64, VDL-NL parameters with γ = 25 (γ/l as at l = 128). */
    static GoldenCases nonlinearVdlNl() {
        return nonlinear("fista_nl_vdlnl", 25);
    }

    /** Case 2b: as case 2 with the literal γ = 100, which diverges at l = 32. */
    static GoldenCases nonlinearVdlNlGamma100() {
        return nonlinear("fista_nl_vdlnl_g100", 100);
    }

    private static GoldenCases nonlinear(String name, double codeReg) {
        Matrix y = Golden.matrix("mnist250_Y").rowSlice(0, 64);
        OneHiddenDecoder d = new OneHiddenDecoder(Golden.matrix("small_dec_nl_W1"), Golden.floats("small_dec_nl_b1"),
                Golden.matrix("small_dec_nl_W2"));
        return new GoldenCases(name, y, d, Golden.matrix("fista_nl_vdlnl_E"),
                FistaConfig.of(0.01, 0.5, 10, 0.5, codeReg, 200, 1e-3));
    }

    int batchSize() {
        return y.rows;
    }

    Matrix f32(String what) {
        return Golden.matrix(name + "_f32_" + what);
    }

    int f32Iterations() {
        return (int) Golden.array(name + "_f32_n_iters").values()[0];
    }
}
