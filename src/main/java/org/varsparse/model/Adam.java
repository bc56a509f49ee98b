package org.varsparse.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adam with PyTorch 1.x semantics ({@code torch.optim.Adam}, torch 1.6 to 1.13, single-tensor path, no amsgrad),
 * coupled L2 weight decay, per-group learning rate and weight decay (main.py:317-331). For each parameter p with
 * gradient g, at step t:
 * <pre>
 *   g ← g + wd·p                                   (coupled L2: added to the gradient, not AdamW)
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g·g
 *   p ← p + (−lr/(1 − β₁ᵗ)) · m / (sqrt(v)/sqrt(1 − β₂ᵗ) + ε)
 * </pre>
 * The float32 arithmetic follows torch 1.13's {@code _single_tensor_adam} operation by operation: the scalar
 * factors lr/(1 − β₁ᵗ) and sqrt(1 − β₂ᵗ) are formed in double (Python floats) and rounded to float32 when they
 * meet a float32 tensor, as are β₁, 1 − β₁, β₂, 1 − β₂, ε and wd; {@code addcdiv} evaluates p + (s·m)/denom.
 * The moment buffers are updated in place; the gradient buffers are left untouched.
 *
 * <p>A parameter is a {@link Param}: a named value array (a weight matrix's {@code data} or a bias) and the
 * gradient array a model workspace fills. {@link #exportState()} / {@link #importState(State)} carry the moments,
 * step counts and group settings, the equivalent of {@code optimizer.state_dict()}.
 */
public final class Adam {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;

    /** A parameter: its values, updated in place, and its gradient buffer (same length). */
    public record Param(String name, float[] value, float[] grad) {
        public Param {
            if (value.length != grad.length) {
                throw new IllegalArgumentException("parameter " + name + ": value length " + value.length
                        + " differs from gradient length " + grad.length);
            }
        }

        /** The parameter called {@code name} in {@code params} (e.g. "b1" of a decoder workspace, for its own group). */
        public static Param named(List<Param> params, String name) {
            for (Param p : params) {
                if (p.name.equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no parameter " + name + " among "
                    + params.stream().map(Param::name).toList());
        }
    }

    /** A parameter group (torch's param_groups entry): its parameters share a learning rate and weight decay. */
    public static final class Group {
        private final List<Param> params;
        private double lr;
        private double weightDecay;

        public Group(double lr, double weightDecay, List<Param> params) {
            checkHyper(lr, weightDecay);
            if (params.isEmpty()) {
                throw new IllegalArgumentException("a parameter group needs at least one parameter");
            }
            this.params = List.copyOf(params);
            this.lr = lr;
            this.weightDecay = weightDecay;
        }

        public static Group of(double lr, double weightDecay, Param... params) {
            return new Group(lr, weightDecay, List.of(params));
        }

        public List<Param> params() {
            return params;
        }

        public double lr() {
            return lr;
        }

        public double weightDecay() {
            return weightDecay;
        }

        /** Sets the learning rate (the decoder schedule halves it every 30 epochs, METHOD §1.8). */
        public void setLr(double lr) {
            checkHyper(lr, weightDecay);
            this.lr = lr;
        }
    }

    /** Saved moments of one parameter: its step count t and the buffers m (exp_avg) and v (exp_avg_sq). */
    public record ParamState(String name, long step, float[] expAvg, float[] expAvgSq) {
    }

    /** Saved group settings. */
    public record GroupState(double lr, double weightDecay) {
    }

    /** Everything {@link #importState} needs to resume: groups in order, parameters in group order. */
    public record State(List<GroupState> groups, List<ParamState> params) {
    }

    private final List<Group> groups;
    private final float beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps; // float32 as torch casts the Python floats
    private final double beta1d, beta2d;
    private final float[][] expAvg;   // per parameter, in group order
    private final float[][] expAvgSq; // per parameter, in group order
    private final long[] steps;       // per parameter (torch keeps state['step'] per parameter)

    public Adam(List<Group> groups) {
        this(groups, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    public Adam(List<Group> groups, double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("Adam betas must lie in [0, 1) and eps be >= 0; got beta1 " + beta1
                    + ", beta2 " + beta2 + ", eps " + eps);
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("Adam needs at least one parameter group");
        }
        this.groups = List.copyOf(groups);
        this.beta1d = beta1;
        this.beta2d = beta2;
        this.beta1 = (float) beta1;
        this.oneMinusBeta1 = (float) (1 - beta1);
        this.beta2 = (float) beta2;
        this.oneMinusBeta2 = (float) (1 - beta2);
        this.eps = (float) eps;
        List<Param> all = allParams();
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (all.get(i).value() == all.get(j).value()) {
                    throw new IllegalArgumentException("parameter " + all.get(i).name() + " appears twice (also as "
                            + all.get(j).name() + ")");
                }
            }
        }
        this.expAvg = new float[all.size()][];
        this.expAvgSq = new float[all.size()][];
        this.steps = new long[all.size()];
        for (int i = 0; i < all.size(); i++) {
            expAvg[i] = new float[all.get(i).value().length];
            expAvgSq[i] = new float[all.get(i).value().length];
        }
    }

    public List<Group> groups() {
        return groups;
    }

    public Group group(int index) {
        return groups.get(index);
    }

    /** Sets every group's learning rate. */
    public void setLr(double lr) {
        for (Group g : groups) {
            g.setLr(lr);
        }
    }

    /** One optimizer step on every parameter, from its current gradient buffer. */
    public void step() {
        int k = 0;
        for (Group g : groups) {
            float wd = (float) g.weightDecay;
            for (Param p : g.params) {
                long t = ++steps[k];
                double biasCorrection1 = 1 - Math.pow(beta1d, t);
                double biasCorrection2 = 1 - Math.pow(beta2d, t);
                float negStepSize = (float) -(g.lr / biasCorrection1);
                float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
                update(p.value(), p.grad(), expAvg[k], expAvgSq[k], wd, negStepSize, bc2Sqrt);
                k++;
            }
        }
    }

    private void update(float[] p, float[] grad, float[] m, float[] v, float wd, float negStepSize, float bc2Sqrt) {
        for (int i = 0; i < p.length; i++) {
            float g = wd != 0f ? grad[i] + wd * p[i] : grad[i];
            m[i] = m[i] * beta1 + oneMinusBeta1 * g;
            v[i] = v[i] * beta2 + oneMinusBeta2 * g * g;
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + eps;
            p[i] = p[i] + negStepSize * m[i] / denom;
        }
    }

    /** Where a NaN or infinity sits: parameter {@code param}, in its values or a moment, at {@code index}. */
    public record NonFinite(String param, Tensor tensor, int index, float value) {
        public enum Tensor { VALUE, EXP_AVG, EXP_AVG_SQ }
    }

    /**
     * The first NaN or infinity among the parameters' values and their moments (in group order), or null if all are
     * finite; O(parameters). A moment overflows first when a gradient grows past ~1e19 (its square past float's
     * range), while the update m/(√v + ε) still looks tame.
     */
    public NonFinite findNonFinite() {
        List<Param> all = allParams();
        for (int k = 0; k < all.size(); k++) {
            float[][] arrays = {all.get(k).value(), expAvg[k], expAvgSq[k]};
            for (int a = 0; a < arrays.length; a++) {
                float[] x = arrays[a];
                for (int i = 0; i < x.length; i++) {
                    if (!Float.isFinite(x[i])) {
                        return new NonFinite(all.get(k).name(), NonFinite.Tensor.values()[a], i, x[i]);
                    }
                }
            }
        }
        return null;
    }

    /** A deep copy of the optimizer state (moments, step counts, group settings). */
    public State exportState() {
        List<GroupState> gs = new ArrayList<>();
        for (Group g : groups) {
            gs.add(new GroupState(g.lr, g.weightDecay));
        }
        List<Param> all = allParams();
        List<ParamState> ps = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            ps.add(new ParamState(all.get(i).name(), steps[i], expAvg[i].clone(), expAvgSq[i].clone()));
        }
        return new State(List.copyOf(gs), List.copyOf(ps));
    }

    /**
     * Restores a state exported from an optimizer over parameters of the same names and sizes, in the same
     * order; like torch's load_state_dict it also restores each group's lr and weight decay. The state is copied.
     */
    public void importState(State state) {
        List<Param> all = allParams();
        if (state.groups().size() != groups.size() || state.params().size() != all.size()) {
            throw new IllegalArgumentException("state has " + state.groups().size() + " groups and "
                    + state.params().size() + " parameters; this optimizer has " + groups.size() + " and " + all.size());
        }
        for (int i = 0; i < all.size(); i++) {
            ParamState s = state.params().get(i);
            Param p = all.get(i);
            int n = p.value().length;
            if (!s.name().equals(p.name()) || s.expAvg().length != n || s.expAvgSq().length != n || s.step() < 0) {
                throw new IllegalArgumentException("state entry " + i + " (" + s.name() + ", " + s.expAvg().length
                        + "/" + s.expAvgSq().length + " values, step " + s.step() + ") does not fit parameter "
                        + p.name() + " (" + n + " values)");
            }
        }
        for (GroupState g : state.groups()) {
            checkHyper(g.lr(), g.weightDecay());
        }
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).lr = state.groups().get(i).lr();
            groups.get(i).weightDecay = state.groups().get(i).weightDecay();
        }
        for (int i = 0; i < all.size(); i++) {
            ParamState s = state.params().get(i);
            steps[i] = s.step();
            System.arraycopy(s.expAvg(), 0, expAvg[i], 0, expAvg[i].length);
            System.arraycopy(s.expAvgSq(), 0, expAvgSq[i], 0, expAvgSq[i].length);
        }
    }

    private List<Param> allParams() {
        List<Param> all = new ArrayList<>();
        for (Group g : groups) {
            all.addAll(g.params);
        }
        return all;
    }

    private static void checkHyper(double lr, double weightDecay) {
        if (!(lr >= 0) || !(weightDecay >= 0) || Double.isInfinite(lr) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("learning rate and weight decay must be finite and >= 0; got lr " + lr
                    + ", weight decay " + weightDecay);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Adam[");
        for (Group g : groups) {
            sb.append(" {lr ").append(g.lr).append(", wd ").append(g.weightDecay).append(", ")
                    .append(Arrays.toString(g.params.stream().map(Param::name).toArray())).append('}');
        }
        return sb.append(" ]").toString();
    }
}
