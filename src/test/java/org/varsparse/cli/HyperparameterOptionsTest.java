package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.varsparse.UserError;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** train has one option per TrainConfig field, and they reach the config. */
class HyperparameterOptionsTest {
    private static CommandLine main() {
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream());
        return Main.commandLine(new Main.Io(nul, nul), false);
    }

    private static CommandLine train() {
        return main().getSubcommands().get("train");
    }

    /** The hyperparameters {@code train ARGS} gives. */
    private static Map<String, Object> given(String... args) {
        CommandLine main = main();
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult pr = main.parseArgs(all).subcommand();
        TrainCommand cmd = main.getSubcommands().get("train").getCommand();
        return cmd.hyper.given(pr);
    }

    @Test
    void everyTrainConfigFieldHasAnOptionNamingTheReferenceFlag() {
        CommandLine train = train();
        for (var c : TrainConfig.class.getRecordComponents()) {
            String name = c.getName().equals("preset") ? "--preset" : HyperparameterOptions.optionName(c.getName());
            OptionSpec o = train.getCommandSpec().findOption(name);
            assertNotNull(o, "no option " + name + " for TrainConfig." + c.getName());
            if (!c.getName().equals("preset")) {
                assertEquals(c.getName(), HyperparameterOptions.fieldName(name));
                assertTrue(String.join(" ", o.description()).contains("ref --"), name + " names the reference flag");
            }
        }
    }

    @Test
    void givenOptionsOverrideThePresetAndTheDecoderKindIsSetLast() {
        Map<String, Object> given = given("--decoder", "one_hidden", "--hidden-dim", "64",
                "--sparsity-reg", "0.003", "--norm-decoder", "true", "--seed", "7", "--code-dim", "32", "--epochs", "2");
        assertEquals(7, given.size(), given.toString());
        TrainConfig c = HyperparameterOptions.applyOptions(Preset.MNIST_VDL.config(), given);
        assertEquals(TrainConfig.DecoderKind.ONE_HIDDEN, c.decoder());
        assertEquals(64, c.hiddenDim());
        assertEquals(0.003, c.sparsityReg());
        assertTrue(c.normDecoder());
        assertEquals(7, c.seed());
        assertEquals(32, c.codeDim());
        assertEquals(Preset.MNIST_VDL.config().varianceReg(), c.varianceReg(), "not given: the preset's value");
        assertEquals(2, c.epochs());
        assertEquals(Map.of(), given("--out", "x", "--backend", "scalar"), "only hyperparameters are collected");
        assertEquals(Map.of("epochs", 10), given("--epochs", "3", "--epochs", "10"),
                "the last occurrence wins (./run.sh main --epochs 10 after run.sh's own --epochs 3)");
    }

    @Test
    void aNewRunRefusesNlOnlyOptionsOnALinearDecoderAndRecordsNoHiddenWidth() {
        UserError hidden = assertThrows(UserError.class,
                () -> HyperparameterOptions.forNewRun(Preset.MNIST_VDL.config(), given("--hidden-dim", "64")));
        assertTrue(hidden.getMessage().startsWith("--hidden-dim 64: applies only to the NL decoder")
                && hidden.getMessage().contains("mnist-vdl-nl") && hidden.getMessage().contains("--decoder one_hidden"),
                hidden.getMessage());
        UserError bias = assertThrows(UserError.class, () -> HyperparameterOptions.forNewRun(
                Preset.MNIST_VDL_NL.config(), given("--weight-decay-decoder-bias", "0.1", "--decoder", "linear")));
        assertTrue(bias.getMessage().startsWith("--weight-decay-decoder-bias 0.1: applies only to the NL decoder")
                && bias.getMessage().contains("--decoder linear is given"), bias.getMessage());

        TrainConfig nl = HyperparameterOptions.forNewRun(Preset.MNIST_VDL.config(),
                given("--hidden-dim", "64", "--decoder", "one_hidden"));
        assertEquals(64, nl.hiddenDim(), "with the NL decoder the width is used");
        TrainConfig lin = HyperparameterOptions.forNewRun(Preset.MNIST_VDL_NL.config(), given("--decoder", "linear"));
        assertEquals(0, lin.hiddenDim(), "a linear decoder records no hidden width (as the linear presets)");
        assertEquals(0.0, lin.weightDecayDecoderBias());
    }

    @ParameterizedTest
    @CsvSource({"-1, '--epochs -1: must be at least 1'", "0, '--epochs 0: nothing to train'"})
    void epochsBelowOneSayWhatIsChecked(String epochs, String message) {
        UserError e = assertThrows(UserError.class,
                () -> HyperparameterOptions.forNewRun(Preset.MNIST_VDL.config(), given("--epochs", epochs)));
        assertEquals(message + ". Fix: pass --epochs 1 or more", e.getMessage());
    }
}
