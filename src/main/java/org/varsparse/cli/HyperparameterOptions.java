package org.varsparse.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.varsparse.UserError;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * One option per {@link TrainConfig} field, named after it in kebab case ({@code sparsityReg} ↔
 * {@code --sparsity-reg}); the help names the reference's flag and the paper's symbol. An option that is not
 * given keeps the preset's value. {@code preset} itself is {@code train --preset}.
 */
final class HyperparameterOptions {
    /** TrainConfig's message "sparsityReg = -1.0 is invalid: it must be ...", reworded to name the option. */
    private static final Pattern INVALID = Pattern.compile("^(\\w+) = .*? is invalid: it must be");

    @Spec
    CommandSpec spec; // this mixin's options

    @Option(names = "--decoder", paramLabel = "KIND",
            description = "decoder D: linear (the linear dictionary) or one_hidden (the NL decoder); ref --decoder")
    TrainConfig.DecoderKind decoder;

    @Option(names = "--code-dim", paramLabel = "l", description = "code dimension l; ref --code_dim")
    Integer codeDim;

    @Option(names = "--hidden-dim", paramLabel = "H", description = "hidden width H of the NL decoder; ref --hidden_dim")
    Integer hiddenDim;

    @Option(names = "--epochs", paramLabel = "N", description = "training epochs; ref --epochs (the presets: 200 MNIST, 100 patches)")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "mini-batch size B; ref --batch_size")
    Integer batchSize;

    @Option(names = "--sparsity-reg", paramLabel = "λ", description = "λ, weight of the l1 term ‖z‖₁; ref --sparsity_reg")
    Double sparsityReg;

    @Option(names = "--variance-reg", paramLabel = "β", description = "β, weight of the variance hinge (0 = SDL); ref --variance_reg")
    Double varianceReg;

    @Option(names = "--hinge-threshold", paramLabel = "T", description = "T, target std of each code component; ref --hinge_threshold")
    Double hingeThreshold;

    @Option(names = "--code-reg", paramLabel = "γ", description = "γ, weight of (1/l)‖z − E(y)‖²; ref --code_reg")
    Double codeReg;

    @Option(names = "--code-step-size", paramLabel = "η", description = "η, the FISTA step size; ref --lrt_Z")
    Double codeStepSize;

    @Option(names = "--max-inference-steps", paramLabel = "K", description = "K, the FISTA iteration cap; ref --n_steps_inf")
    Integer maxInferenceSteps;

    @Option(names = "--tolerance", paramLabel = "tol", description = "FISTA stops when every row's relative change is below tol; ref --stop_early")
    Double tolerance;

    @Option(names = "--lr-decoder", paramLabel = "LR", description = "decoder Adam learning rate; ref --lrt_D")
    Double lrDecoder;

    @Option(names = "--lr-encoder", paramLabel = "LR", description = "encoder Adam learning rate; ref --lrt_E")
    Double lrEncoder;

    @Option(names = "--anneal-decoder-every", paramLabel = "EPOCHS",
            description = "multiply the decoder lr by the anneal factor every this many epochs (0 = never); ref --anneal_lr_D_freq")
    Integer annealDecoderEvery;

    @Option(names = "--anneal-decoder-factor", paramLabel = "F", description = "decoder lr annealing factor; ref --anneal_lr_D_mult")
    Double annealDecoderFactor;

    @Option(names = "--norm-decoder", paramLabel = "BOOL", arity = "1",
            description = "true: unit-norm decoder columns after every step (SDL); ref --norm_decoder")
    Boolean normDecoder;

    @Option(names = "--weight-decay-decoder", paramLabel = "WD", description = "L2 on the decoder weights; ref --weight_decay_D")
    Double weightDecayDecoder;

    @Option(names = "--weight-decay-decoder-bias", paramLabel = "WD", description = "L2 on the NL decoder bias b1; ref --weight_decay_D_bias")
    Double weightDecayDecoderBias;

    @Option(names = "--weight-decay-encoder", paramLabel = "WD", description = "L2 on the encoder weights; ref --weight_decay_E")
    Double weightDecayEncoder;

    @Option(names = "--weight-decay-encoder-bias", paramLabel = "WD", description = "L2 on the encoder bias; ref --weight_decay_E_bias")
    Double weightDecayEncoderBias;

    @Option(names = "--lista-iterations", paramLabel = "T_L", description = "LISTA iterations T_L of the encoder; ref --num_iter_LISTA")
    Integer listaIterations;

    @Option(names = "--seed", paramLabel = "SEED", description = "seed of the initialisation and of the epoch shuffles; ref --seed")
    Long seed;

    /** {@code sparsityReg} → {@code --sparsity-reg}. */
    static String optionName(String field) {
        return "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    /** {@code --sparsity-reg} → {@code sparsityReg}. */
    static String fieldName(String option) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : option.substring(2).toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    /** The hyperparameters given on the command line, by field name, in command-line order. */
    Map<String, Object> given(ParseResult parsed) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (parsed.hasMatchedOption(o.longestName())) {
                m.put(fieldName(o.longestName()), o.getValue());
            }
        }
        return m;
    }

    /** {@code base} with the hyperparameters given on the command line; a rejected value names its option. */
    static TrainConfig applyOptions(TrainConfig base, Map<String, Object> changes) {
        return apply(base, changes, (e, ex) -> UserError.of(optionName(e.getKey()) + " " + display(e.getValue()),
                INVALID.matcher(ex.getMessage()).replaceFirst(m -> optionName(m.group(1)) + " must be"),
                "pass a value in the allowed range (see varsparse train --help)"));
    }

    /** The options that set a part of the NL decoder (one_hidden) only: a linear decoder has no hidden layer. */
    static final List<String> NL_ONLY = List.of("hiddenDim", "weightDecayDecoderBias");

    /**
     * {@code preset} with the options given for a new run: {@link #applyOptions}, then the checks that span options.
     * At least one epoch; an NL-only option on a linear decoder is refused (it would be recorded in run.json but
     * unused). A linear decoder records hiddenDim 0 and no decoder-bias weight decay, as the linear presets do.
     */
    static TrainConfig forNewRun(TrainConfig preset, Map<String, Object> given) {
        requireEpochs(given);
        TrainConfig c = applyOptions(preset, given);
        requireNlDecoder(c, given, false);
        return c.decoder() == TrainConfig.DecoderKind.LINEAR
                ? c.with("hiddenDim", 0).with("weightDecayDecoderBias", 0.0) : c;
    }

    /** {@code --epochs} when given is at least 1: 0 trains nothing (TrainConfig alone allows 0, for evaluation). */
    static void requireEpochs(Map<String, Object> given) {
        if (given.get("epochs") instanceof Integer e && e < 1) {
            throw UserError.of("--epochs " + e, e == 0 ? "nothing to train" : "must be at least 1", "pass --epochs 1 or more");
        }
    }

    /** Refuses an option of {@link #NL_ONLY} given for a linear decoder ({@code c}: a new run's, or the resumed run's). */
    static void requireNlDecoder(TrainConfig c, Map<String, Object> given, boolean resuming) {
        if (c.decoder() != TrainConfig.DecoderKind.LINEAR) {
            return;
        }
        for (String f : NL_ONLY) {
            if (given.containsKey(f)) {
                String why = resuming ? "the run has the linear decoder"
                        : given.containsKey("decoder") ? "--decoder linear is given"
                        : "preset " + c.preset() + " has the linear decoder";
                String fix = resuming ? "leave " + optionName(f) + " out when resuming"
                        : given.containsKey("decoder") ? "pass --decoder one_hidden instead of linear, or leave "
                        + optionName(f) + " out"
                        : "use an NL preset (" + String.join(", ", nlPresets()) + ") or add --decoder one_hidden,"
                        + " or leave " + optionName(f) + " out";
                throw UserError.of(optionName(f) + " " + display(given.get(f)),
                        "applies only to the NL decoder (one_hidden), but " + why, fix);
            }
        }
    }

    private static List<String> nlPresets() {
        List<String> out = new ArrayList<>();
        for (Preset p : Preset.values()) {
            if (p.config().decoder() == TrainConfig.DecoderKind.ONE_HIDDEN) {
                out.add(p.cliName);
            }
        }
        return out;
    }

    /**
     * {@code base} with {@code changes} (field name → value) applied; {@code error} turns a value TrainConfig
     * rejects into a user error. The decoder kind is set last so that {@code --decoder one_hidden --hidden-dim
     * 1024} works on a linear preset whatever the order.
     */
    static TrainConfig apply(TrainConfig base, Map<String, Object> changes,
                             BiFunction<Map.Entry<String, Object>, IllegalArgumentException, UserError> error) {
        List<Map.Entry<String, Object>> order = new ArrayList<>(changes.entrySet());
        order.sort((a, b) -> Boolean.compare(a.getKey().equals("decoder"), b.getKey().equals("decoder")));
        TrainConfig c = base;
        for (Map.Entry<String, Object> e : order) {
            try {
                c = c.with(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw error.apply(e, ex);
            }
        }
        return c;
    }

    private static String display(Object v) {
        return v instanceof TrainConfig.DecoderKind k ? k.name().toLowerCase(Locale.ROOT) : String.valueOf(v);
    }
}
