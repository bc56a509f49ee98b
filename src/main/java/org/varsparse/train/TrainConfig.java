package org.varsparse.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyperparameter of one training run, named after the reference's flags (main.py) so the mapping is
 * one to one: {@code sparsityReg} ↔ {@code --sparsity_reg} (λ), {@code varianceReg} ↔ {@code --variance_reg}
 * (β), {@code hingeThreshold} ↔ {@code --hinge_threshold} (T), {@code codeReg} ↔ {@code --code_reg} (γ),
 * {@code codeStepSize} ↔ {@code --lrt_Z} (η), {@code maxInferenceSteps} ↔ {@code --n_steps_inf} (K),
 * {@code tolerance} ↔ {@code --stop_early}, {@code lrDecoder} ↔ {@code --lrt_D}, {@code lrEncoder} ↔
 * {@code --lrt_E}, {@code normDecoder} ↔ {@code --norm_decoder}, {@code weightDecayDecoderBias} ↔
 * {@code --weight_decay_D_bias}, {@code weightDecayEncoderBias} ↔ {@code --weight_decay_E_bias},
 * {@code annealDecoderEvery}/{@code annealDecoderFactor} ↔ {@code --anneal_lr_D_freq}/{@code --anneal_lr_D_mult},
 * {@code listaIterations} ↔ {@code --num_iter_LISTA}. Values and defaults: METHOD.md §3.
 */
public record TrainConfig(
        String preset,
        DecoderKind decoder,
        int codeDim,
        int hiddenDim,
        int epochs,
        int batchSize,
        double sparsityReg,
        double varianceReg,
        double hingeThreshold,
        double codeReg,
        double codeStepSize,
        int maxInferenceSteps,
        double tolerance,
        double lrDecoder,
        double lrEncoder,
        int annealDecoderEvery,
        double annealDecoderFactor,
        boolean normDecoder,
        double weightDecayDecoder,
        double weightDecayDecoderBias,
        double weightDecayEncoder,
        double weightDecayEncoderBias,
        int listaIterations,
        long seed) {

    /** The two decoders of the paper: the linear dictionary and the one-hidden-layer (NL) decoder. */
    public enum DecoderKind {
        LINEAR("linear_dictionary"), ONE_HIDDEN("one_hidden_decoder");

        /** The reference's {@code --decoder} value. */
        public final String referenceName;

        DecoderKind(String referenceName) {
            this.referenceName = referenceName;
        }
    }

    public TrainConfig {
        positive("codeDim", codeDim);
        if (decoder == DecoderKind.ONE_HIDDEN) {
            positive("hiddenDim", hiddenDim);
        }
        if (epochs < 0) {
            throw bad("epochs", epochs, "an integer >= 0");
        }
        if (batchSize < 2) {
            throw bad("batchSize", batchSize, "an integer >= 2 (the variance term needs an unbiased std over the batch)");
        }
        nonNegative("sparsityReg", sparsityReg);
        nonNegative("varianceReg", varianceReg);
        nonNegative("hingeThreshold", hingeThreshold);
        nonNegative("codeReg", codeReg);
        if (!(codeStepSize > 0) || Double.isInfinite(codeStepSize)) {
            throw bad("codeStepSize", codeStepSize, "a finite number > 0");
        }
        if (maxInferenceSteps < 0) {
            throw bad("maxInferenceSteps", maxInferenceSteps, "an integer >= 0");
        }
        nonNegative("tolerance", tolerance);
        if (!(lrDecoder > 0) || Double.isInfinite(lrDecoder)) {
            throw bad("lrDecoder", lrDecoder, "a finite number > 0");
        }
        if (!(lrEncoder > 0) || Double.isInfinite(lrEncoder)) {
            throw bad("lrEncoder", lrEncoder, "a finite number > 0");
        }
        if (annealDecoderEvery < 0) {
            throw bad("annealDecoderEvery", annealDecoderEvery, "an integer >= 0 (0 = never)");
        }
        if (!(annealDecoderFactor > 0 && annealDecoderFactor <= 1)) {
            throw bad("annealDecoderFactor", annealDecoderFactor, "a number in (0, 1]");
        }
        nonNegative("weightDecayDecoder", weightDecayDecoder);
        nonNegative("weightDecayDecoderBias", weightDecayDecoderBias);
        nonNegative("weightDecayEncoder", weightDecayEncoder);
        nonNegative("weightDecayEncoderBias", weightDecayEncoderBias);
        if (listaIterations < 0) {
            throw bad("listaIterations", listaIterations, "an integer >= 0");
        }
    }

    /** The decoder learning rate in force during epoch e (0-based): lrt_D·mult^⌊e/freq⌋ (utils.py:450-454). */
    public double lrDecoderAtEpoch(int epoch) {
        return annealDecoderEvery == 0 ? lrDecoder : lrDecoder * Math.pow(annealDecoderFactor, epoch / annealDecoderEvery);
    }

    /**
     * A copy with one field changed, by its Java name (e.g. "sparsityReg"); {@code value} may be a String
     * (parsed for the field's type) or a boxed value. Validation runs again, so a bad value is named.
     */
    public TrainConfig with(String field, Object value) {
        var comps = TrainConfig.class.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        boolean found = false;
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            try {
                args[i] = comps[i].getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (comps[i].getName().equals(field)) {
                args[i] = convert(field, types[i], value);
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("unknown hyperparameter '" + field + "': known are " + asMap().keySet());
        }
        try {
            return TrainConfig.class.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object convert(String field, Class<?> type, Object value) {
        String s = String.valueOf(value).trim();
        try {
            if (type == int.class) {
                return value instanceof Number n ? n.intValue() : Integer.parseInt(s);
            } else if (type == long.class) {
                return value instanceof Number n ? n.longValue() : Long.parseLong(s);
            } else if (type == double.class) {
                return value instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
            } else if (type == boolean.class) {
                if (value instanceof Boolean b) {
                    return b;
                }
                return switch (s.toLowerCase(Locale.ROOT)) {
                    case "true", "1", "yes" -> true;
                    case "false", "0", "no" -> false;
                    default -> throw new NumberFormatException();
                };
            } else if (type == DecoderKind.class) {
                return value instanceof DecoderKind k ? k : DecoderKind.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            return s;
        } catch (IllegalArgumentException e) { // NumberFormatException is one
            throw new IllegalArgumentException(field + " = '" + s + "' is not a valid " + type.getSimpleName());
        }
    }

    /** Every field by name, in declaration order (for the run's JSON and logs). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var c : TrainConfig.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(this);
                m.put(c.getName(), v instanceof DecoderKind k ? k.name().toLowerCase(Locale.ROOT) : v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw bad(name, v, "an integer >= 1");
        }
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw bad(name, v, "a finite number >= 0");
        }
    }

    private static IllegalArgumentException bad(String name, Object v, String allowed) {
        return new IllegalArgumentException(name + " = " + v + " is invalid: it must be " + allowed);
    }
}
