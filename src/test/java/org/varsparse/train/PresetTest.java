package org.varsparse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.varsparse.train.TrainConfig.DecoderKind;

class PresetTest {

    @Test
    void mnistPresetsCarryTheScriptValues() {
        // METHOD.md §3.2, MNIST columns.
        TrainConfig vdl = Preset.byName("mnist-vdl").config();
        assertEquals(DecoderKind.LINEAR, vdl.decoder());
        assertEquals(0.02, vdl.sparsityReg());
        assertEquals(10, vdl.varianceReg());
        assertEquals(5, vdl.codeReg());
        assertEquals(0.5, vdl.codeStepSize());
        assertEquals(3e-4, vdl.lrDecoder());
        assertEquals(1e-4, vdl.lrEncoder());
        assertEquals(false, vdl.normDecoder());

        TrainConfig sdlNl = Preset.MNIST_SDL_NL.config();
        assertEquals(DecoderKind.ONE_HIDDEN, sdlNl.decoder());
        assertEquals(1024, sdlNl.hiddenDim());
        assertTrue(sdlNl.normDecoder());
        assertEquals(0.001, sdlNl.weightDecayDecoderBias());
        assertEquals(1.0, sdlNl.codeStepSize());

        TrainConfig vdlNl = Preset.MNIST_VDL_NL.config();
        assertEquals(100, vdlNl.codeReg());
        assertEquals(30, vdlNl.annealDecoderEvery());
    }

    @Test
    void patchPresetsUseTheLinearDictionaryAndEncoderBiasDecay() {
        for (Preset p : new Preset[] {Preset.PATCH_SDL, Preset.PATCH_VDL}) {
            assertEquals(DecoderKind.LINEAR, p.config().decoder(), p.cliName);
        }
        assertEquals(0.1, Preset.PATCH_VDL_NL.config().weightDecayDecoderBias());
        assertEquals(40, Preset.PATCH_VDL_NL.config().codeReg());
        assertEquals(5e-5, Preset.PATCH_VDL_NL.config().lrDecoder());
        for (Preset p : Preset.values()) {
            assertEquals(p.cliName.startsWith("patch") ? 256 : 128, p.config().codeDim(), p.cliName);
            assertEquals(250, p.config().batchSize());
            assertEquals(200, p.config().maxInferenceSteps());
        }
    }

    @Test
    void withChangesOneFieldAndKeepsTheRest() {
        TrainConfig c = Preset.MNIST_VDL.config().with("sparsityReg", "0.01").with("epochs", 3);
        assertEquals(0.01, c.sparsityReg());
        assertEquals(3, c.epochs());
        assertEquals(10, c.varianceReg());
        assertEquals(DecoderKind.ONE_HIDDEN, c.with("hiddenDim", 64).with("decoder", "one-hidden").decoder());
        assertThrows(IllegalArgumentException.class, () -> c.with("decoder", "one-hidden")); // hiddenDim 0
        assertThrows(IllegalArgumentException.class, () -> c.with("noSuchField", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with("epochs", "many"));
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
    }

    @Test
    void decoderLearningRateHalvesEveryThirtyEpochs() {
        // utils.py:450-454: epochs 0-29 at lrt_D, 30-59 at lrt_D/2, ..., 180-199 at lrt_D/64.
        TrainConfig c = Preset.MNIST_VDL_NL.config();
        assertEquals(3e-4, c.lrDecoderAtEpoch(0), 1e-18);
        assertEquals(3e-4, c.lrDecoderAtEpoch(29), 1e-18);
        assertEquals(1.5e-4, c.lrDecoderAtEpoch(30), 1e-18);
        assertEquals(3e-4 / 64, c.lrDecoderAtEpoch(199), 1e-18);
        assertEquals(3e-4, Preset.MNIST_VDL.config().lrDecoderAtEpoch(199), 1e-18);
    }

    @Test
    void unknownPresetAndBadValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preset.byName("mnist-xyz"));
        assertTrue(e.getMessage().contains("mnist-xyz") && e.getMessage().contains("mnist-vdl"), e.getMessage());
        TrainConfig c = Preset.MNIST_VDL.config();
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> c.with("sparsityReg", -0.1));
        assertTrue(neg.getMessage().startsWith("sparsityReg"), neg.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> c.with("codeStepSize", "NaN"));
        assertTrue(nan.getMessage().startsWith("codeStepSize"), nan.getMessage());
    }
}
