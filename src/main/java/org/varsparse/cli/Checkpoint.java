package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.varsparse.UserError;
import org.varsparse.eval.Metrics;
import org.varsparse.io.FileIo;
import org.varsparse.io.SafeTensors;
import org.varsparse.io.SafeTensors.Tensor;
import org.varsparse.model.Adam;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.ListaEncoder;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * A training state on disk, one folder per checkpoint ({@code checkpoints/last}, {@code checkpoints/best}):
 * <pre>
 *   model.safetensors      decoder.W (P×l) | decoder.W1 (H×l), decoder.b1 (H), decoder.W2 (P×H);
 *                          encoder.W (l×P), encoder.b (l), encoder.S (l×l)       (PyTorch's out×in layout)
 *   optimizer.safetensors  {decoder,encoder}.NAME.exp_avg and .exp_avg_sq (Adam's m and v); the metadata holds
 *                          each parameter's step count, the parameter order and each group's lr and weight decay
 *   checkpoint.json        every hyperparameter, seed, epoch, backend, versions, validation energy, best-so-far
 *                          energy and epoch, and the size and SHA-256 of both safetensors files
 * </pre>
 *
 * <p>Written as a unit: the folder is filled under a temporary name ({@code .last.partial}), each file
 * fsync'd, then renamed into place; an existing checkpoint of that name is first moved aside to
 * {@code .last.old} and deleted after. A crash therefore leaves either the old or the new checkpoint
 * complete: between the two renames only {@code .last.old} exists, and {@link #load} takes it. A save that
 * fails (a full disk) removes its temporary folder and leaves the previous checkpoint as it was. The hashes
 * in checkpoint.json catch a file changed afterwards; {@link #load} refuses NaN or infinite values.
 *
 * <p>A save replaces only what can be nothing but a checkpoint: a missing path, an empty folder, or a folder holding
 * checkpoint.json and checkpoint files only (likewise for the {@code .partial} and {@code .old} names beside it).
 * Anything else (a file, a folder of the user's) is refused before anything is written, so a save never deletes
 * data that is not a checkpoint ({@code CheckpointTarget} checks this).
 *
 * <p>Public for the library ({@code estimators.DictionaryLearning.save/load} write the same folder), so a model
 * is saved one way only. Problems reading a checkpoint are {@link org.varsparse.UserError}s naming the file; their
 * fix names {@code --checkpoint} only for a run's checkpoint (a {@code checkpoints/best|last} beside the run's
 * run.json, where the run's other checkpoint is a way on), else it fits a library caller ({@code RunCheckpoint}
 * tells the two apart, and checks that a run's checkpoint matches its run.json).
 */
public final class Checkpoint {
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String JSON = "checkpoint.json";
    static final String FORMAT = "varsparse-checkpoint";
    static final int FORMAT_VERSION = 1;

    /** The fix for a damaged checkpoint read through the library ({@code DictionaryLearning.load}). */
    static final String FIX_LIBRARY = "load another checkpoint, or fit the model again and save it"
            + " (DictionaryLearning.save)";

    /** The fix for a folder that is no checkpoint at all, read through the library. */
    static final String FIX_LIBRARY_MISSING = "pass the folder DictionaryLearning.save wrote (it holds"
            + " checkpoint.json), or a run's checkpoints/best or checkpoints/last";

    /**
     * The fix for a damaged {@code checkpoints/last} met by {@code train --resume}: train resumes from last only, so the
     * way on is a new run; the best checkpoint may still be evaluated.
     */
    static final String FIX_RESUME = "train anew into another --out (varsparse eval --run DIR --checkpoint best"
            + " still evaluates the best epoch if that checkpoint is intact)";

    private Checkpoint() {
    }

    /**
     * Everything a run needs to continue, or to be evaluated.
     *
     * @param epoch         epochs completed (1-based: the state after epoch {@code epoch})
     * @param valEnergy     validation energy after that epoch
     * @param bestValEnergy lowest validation energy so far (NaN before the first epoch)
     * @param bestEpoch     the epoch that reached it (0 if none)
     */
    public record State(TrainConfig config, int epoch, double valEnergy, double bestValEnergy, int bestEpoch, String backend,
                 Decoder decoder, ListaEncoder encoder, Adam.State decoderAdam, Adam.State encoderAdam) {
    }

    public static State of(Trainer t, int epoch, double valEnergy, double bestValEnergy, int bestEpoch, String backend) {
        return new State(t.config(), epoch, valEnergy, bestValEnergy, bestEpoch, backend, t.decoder(), t.encoder(),
                t.decoderOptimizer().exportState(), t.encoderOptimizer().exportState());
    }

    /**
     * A trainer that continues from {@code s}: its models (trained in place) and both optimizers' states, with
     * {@code config} (the saved one, or one differing in the epoch count only).
     */
    static Trainer trainer(State s, TrainConfig config, TensorOps ops, Path where, Metrics.Normalization norm) {
        Trainer t = new Trainer(config, ops, s.decoder(), s.encoder(), norm);
        try {
            t.decoderOptimizer().importState(s.decoderAdam());
            t.encoderOptimizer().importState(s.encoderAdam());
        } catch (IllegalArgumentException e) {
            throw UserError.of(where.resolve(OPTIMIZER), "does not fit the model: " + e.getMessage(), FIX_RESUME, e);
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code s} as the folder {@code checkpointsDir/name}, replacing the checkpoint there (see the class
     * comment).
     *
     * @throws UserError before anything is written if {@code checkpointsDir/name} (or {@code .NAME.partial} or
     *                   {@code .NAME.old} beside it) holds something other than a checkpoint: a file, or a folder with
     *                   other files; it is never deleted
     */
    public static void save(Path checkpointsDir, String name, State s) {
        Path target = checkpointsDir.resolve(name);
        Path tmp = checkpointsDir.resolve("." + name + ".partial");
        Path old = checkpointsDir.resolve("." + name + ".old");
        CheckpointTarget.checkReplaceable(target);
        CheckpointTarget.checkOwnDebris(tmp, target);
        CheckpointTarget.checkOwnDebris(old, target);
        try {
            Files.createDirectories(checkpointsDir);
            FileIo.deleteTree(tmp); // left by a save that crashed
            Files.createDirectory(tmp);
            Map<String, Tensor> model = modelTensors(s.decoder(), s.encoder());
            SafeTensors.write(tmp.resolve(MODEL), model, Map.of("format", "pt", "varsparse.decoder",
                    s.config().decoder().referenceName, "varsparse.epoch", Integer.toString(s.epoch())));
            Map<String, Tensor> opt = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            optimizerTensors("decoder", s.decoderAdam(), model, opt, meta);
            optimizerTensors("encoder", s.encoderAdam(), model, opt, meta);
            SafeTensors.write(tmp.resolve(OPTIMIZER), opt, meta);
            Json.write(tmp.resolve(JSON), json(name, s, tmp));
            fsyncDir(tmp);
            if (Files.exists(target)) {
                FileIo.deleteTree(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(checkpointsDir);
            FileIo.deleteTree(old);
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            deleteQuietly(tmp);
            throw FileIo.writeFailure(target, io);
        } catch (RuntimeException e) { // a file that could not be written (full disk): SafeTensors' UserError
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** The first three of {@code names}, and how many more, for a one-line message. */
    static String listed(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(3, names.size())))
                + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "");
    }

    /** Removes a half-written checkpoint folder; a failure to do so must not hide the error that stopped the save. */
    private static void deleteQuietly(Path dir) {
        try {
            FileIo.deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            // left for the next save, which deletes it first
        }
    }

    private static Map<String, Object> json(String name, State s, Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("name", name);
        m.put("epoch", s.epoch());
        m.put("val_energy", Json.num(s.valEnergy()));
        m.put("best_val_energy", Json.num(s.bestValEnergy()));
        m.put("best_epoch", s.bestEpoch());
        m.put("seed", s.config().seed());
        m.put("decoder", s.config().decoder().referenceName);
        m.put("backend", s.backend());
        m.put("versions", Versions.asMap());
        m.put("hyperparameters", s.config().asMap());
        Map<String, Object> files = new LinkedHashMap<>();
        for (String f : List.of(MODEL, OPTIMIZER)) {
            Path p = dir.resolve(f);
            Map<String, Object> info = new LinkedHashMap<>();
            String fix = "check the disk holding " + dir + ", and train again"; // the file was just written
            info.put("bytes", size(p, fix));
            info.put("sha256", sha256(p, fix));
            files.put(f, info);
        }
        m.put("files", files);
        m.put("saved_at", Instant.now().toString());
        return m;
    }

    static Map<String, Tensor> modelTensors(Decoder d, ListaEncoder e) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        switch (d) {
            case LinearDictionary ld -> m.put("decoder.W", Tensor.of(ld.W));
            case OneHiddenDecoder nl -> {
                m.put("decoder.W1", Tensor.of(nl.W1));
                m.put("decoder.b1", Tensor.of(nl.b1));
                m.put("decoder.W2", Tensor.of(nl.W2));
            }
        }
        m.put("encoder.W", Tensor.of(e.W));
        m.put("encoder.b", Tensor.of(e.b));
        m.put("encoder.S", Tensor.of(e.S));
        return m;
    }

    private static void optimizerTensors(String prefix, Adam.State st, Map<String, Tensor> model,
                                         Map<String, Tensor> out, Map<String, String> meta) {
        List<String> names = new ArrayList<>();
        for (Adam.ParamState p : st.params()) {
            String key = prefix + "." + p.name();
            int[] shape = model.get(key).shape();
            out.put(key + ".exp_avg", new Tensor(shape, p.expAvg()));
            out.put(key + ".exp_avg_sq", new Tensor(shape, p.expAvgSq()));
            meta.put(key + ".step", Long.toString(p.step()));
            names.add(p.name());
        }
        meta.put(prefix + ".params", String.join(",", names));
        meta.put(prefix + ".groups", Integer.toString(st.groups().size()));
        for (int i = 0; i < st.groups().size(); i++) {
            meta.put(prefix + ".group" + i + ".lr", Double.toString(st.groups().get(i).lr()));
            meta.put(prefix + ".group" + i + ".weight_decay", Double.toString(st.groups().get(i).weightDecay()));
        }
    }

    // ---------------------------------------------------------------------------------------------- reading

    /** The folder holding checkpoint {@code name}: the folder itself, or the copy a crash left aside. */
    static Path locate(Path checkpointsDir, String name) {
        Path target = checkpointsDir.resolve(name);
        if (Files.isRegularFile(target.resolve(JSON))) {
            return target;
        }
        Path old = checkpointsDir.resolve("." + name + ".old");
        if (Files.isRegularFile(old.resolve(JSON))) {
            return old; // a save was interrupted between its two renames
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw UserError.of(target, "is a file, not a checkpoint folder", RunCheckpoint.inRun(checkpointsDir, name)
                    ? "pass --checkpoint " + RunCheckpoint.other(name) + ", or move the file away and train again"
                    : FIX_LIBRARY_MISSING);
        }
        String detail = Files.isDirectory(target) ? " (the folder has no " + JSON + ")" : "";
        throw UserError.of(target, "no such checkpoint" + detail, RunCheckpoint.inRun(checkpointsDir, name)
                ? "train first (varsparse train), or pass --checkpoint " + RunCheckpoint.other(name)
                : FIX_LIBRARY_MISSING);
    }

    /**
     * Checkpoint {@code name}; a damaged one is a user error whose fix names {@code --checkpoint} for a run's
     * checkpoint (eval, encode, ...; see {@link RunCheckpoint#inRun}), else one for a library caller
     * ({@code DictionaryLearning.load}).
     */
    public static State load(Path checkpointsDir, String name) {
        return load(checkpointsDir, name, RunCheckpoint.defaultFix(checkpointsDir, name));
    }

    /** Checkpoint {@code name}; a damaged one is a user error with the fix {@code fix} (the command's own way on). */
    static State load(Path checkpointsDir, String name, String fix) {
        Path dir = locate(checkpointsDir, name);
        Path jsonFile = dir.resolve(JSON);
        JsonNode j = Json.read(jsonFile, fix);
        if (!FORMAT.equals(j.path("format").asText()) || j.path("format_version").asInt() != FORMAT_VERSION) {
            throw UserError.of(jsonFile, "is not a varsparse checkpoint of format version " + FORMAT_VERSION, fix);
        }
        JsonNode files = Json.field(j, "files", jsonFile, fix);
        for (String f : List.of(MODEL, OPTIMIZER)) {
            Path p = dir.resolve(f);
            JsonNode want = files.path(f);
            if (size(p, fix) != want.path("bytes").asLong(-1) || !sha256(p, fix).equals(want.path("sha256").asText())) {
                throw UserError.of(p, "does not match the size and SHA-256 recorded in " + JSON
                        + " (changed or damaged after it was saved)", fix);
            }
        }
        JsonNode hyper = Json.field(j, "hyperparameters", jsonFile, fix);
        TrainConfig config = config(hyper, jsonFile, fix);
        if (RunCheckpoint.inRun(checkpointsDir, name)) {
            RunCheckpoint.checkOfRun(dir, hyper, checkpointsDir.resolveSibling(RunDir.RUN_JSON), fix);
        }
        SafeTensors.Contents model = requireFinite(dir.resolve(MODEL), SafeTensors.read(dir.resolve(MODEL)), fix);
        Decoder decoder;
        ListaEncoder encoder;
        try {
            decoder = switch (config.decoder()) {
                case LINEAR -> new LinearDictionary(model.get(dir.resolve(MODEL), "decoder.W").toMatrix());
                case ONE_HIDDEN -> new OneHiddenDecoder(model.get(dir.resolve(MODEL), "decoder.W1").toMatrix(),
                        model.get(dir.resolve(MODEL), "decoder.b1").data(),
                        model.get(dir.resolve(MODEL), "decoder.W2").toMatrix());
            };
            encoder = new ListaEncoder(model.get(dir.resolve(MODEL), "encoder.W").toMatrix(),
                    model.get(dir.resolve(MODEL), "encoder.b").data(),
                    model.get(dir.resolve(MODEL), "encoder.S").toMatrix(), config.listaIterations());
            if (decoder.codeDim() != config.codeDim() || encoder.codeDim() != config.codeDim()
                    || encoder.inputDim() != decoder.outputDim()) {
                throw new IllegalArgumentException("code dimension " + config.codeDim() + " in " + JSON
                        + " but the tensors have decoder l=" + decoder.codeDim() + ", encoder l=" + encoder.codeDim());
            }
        } catch (IllegalArgumentException e) {
            throw UserError.of(dir.resolve(MODEL), "its tensors do not fit the model: " + e.getMessage(), fix, e);
        }
        SafeTensors.Contents opt = requireFinite(dir.resolve(OPTIMIZER), SafeTensors.read(dir.resolve(OPTIMIZER)), fix);
        Adam.State dAdam = adamState("decoder", opt, dir.resolve(OPTIMIZER), fix);
        Adam.State eAdam = adamState("encoder", opt, dir.resolve(OPTIMIZER), fix);
        JsonNode best = j.path("best_val_energy");
        return new State(config, j.path("epoch").asInt(), j.path("val_energy").asDouble(Double.NaN),
                best.isNumber() ? best.asDouble() : Double.NaN, j.path("best_epoch").asInt(),
                j.path("backend").asText(), decoder, encoder, dAdam, eAdam);
    }

    /** A checkpoint holds finite numbers only: NaN or infinity is a diverged model, useless to evaluate or resume. */
    private static SafeTensors.Contents requireFinite(Path file, SafeTensors.Contents c, String fix) {
        for (Map.Entry<String, Tensor> t : c.tensors().entrySet()) {
            float[] v = t.getValue().data();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw UserError.of(file, "tensor '" + t.getKey() + "' holds " + v[i] + " at index " + i
                            + " (the values of a diverged model)", fix);
                }
            }
        }
        return c;
    }

    /** The TrainConfig saved as {@code hyperparameters}: every field must be there. */
    static TrainConfig config(JsonNode h, Path file) {
        return config(h, file, RunCheckpoint.fixFor("best"));
    }

    private static TrainConfig config(JsonNode h, Path file, String fix) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (var c : TrainConfig.class.getRecordComponents()) {
            JsonNode v = h.get(c.getName());
            if (v == null || v.isNull() || v.isContainerNode()) {
                throw UserError.of(file, "hyperparameters has no value for " + c.getName(), fix);
            }
            values.put(c.getName(), v.isNumber() ? v.numberValue() : v.isBoolean() ? v.booleanValue() : v.asText());
        }
        Preset preset;
        try {
            preset = Preset.byName(String.valueOf(values.get("preset")));
        } catch (IllegalArgumentException e) {
            throw UserError.of(file, e.getMessage(), fix, e);
        }
        return HyperparameterOptions.apply(preset.config(), values,
                (e, ex) -> UserError.of(file, "hyperparameter " + ex.getMessage(), fix, ex));
    }

    private static Adam.State adamState(String prefix, SafeTensors.Contents c, Path file, String fix) {
        Map<String, String> meta = c.metadata();
        try {
            int groups = Integer.parseInt(require(meta, fix, prefix + ".groups", file));
            List<Adam.GroupState> gs = new ArrayList<>();
            for (int i = 0; i < groups; i++) {
                gs.add(new Adam.GroupState(Double.parseDouble(require(meta, fix, prefix + ".group" + i + ".lr", file)),
                        Double.parseDouble(require(meta, fix, prefix + ".group" + i + ".weight_decay", file))));
            }
            List<Adam.ParamState> ps = new ArrayList<>();
            for (String name : require(meta, fix, prefix + ".params", file).split(",")) {
                String key = prefix + "." + name;
                ps.add(new Adam.ParamState(name, Long.parseLong(require(meta, fix, key + ".step", file)),
                        c.get(file, key + ".exp_avg").data(), c.get(file, key + ".exp_avg_sq").data()));
            }
            return new Adam.State(gs, ps);
        } catch (NumberFormatException e) {
            throw UserError.of(file, "a number in the metadata is invalid (" + e.getMessage() + ")", fix, e);
        }
    }

    private static String require(Map<String, String> meta, String fix, String key, Path file) {
        String v = meta.get(key);
        if (v == null) {
            throw UserError.of(file, "its metadata has no " + key, fix);
        }
        return v;
    }

    // ---------------------------------------------------------------------------------------------- files

    private static long size(Path p, String fix) {
        return FileIo.size(p, fix);
    }

    static String sha256(Path p) {
        return sha256(p, RunCheckpoint.fixFor("best"));
    }

    private static String sha256(Path p, String fix) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        try (InputStream in = FileIo.open(p, fix)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        } catch (IOException e) {
            throw FileIo.readFailure(p, e, fix);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Forces a folder's entries (new names, renames) to disk; a no-op where the platform cannot. */
    private static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported on every platform (e.g. Windows); the files themselves were forced
        }
    }

    /**
     * Removes what an interrupted save left: {@code .NAME.partial} folders, and {@code .NAME.old} where NAME itself is
     * complete (else the old copy is the checkpoint, see {@link #locate}).
     */
    static void removeStale(Path checkpointsDir) {
        if (!Files.isDirectory(checkpointsDir)) {
            return;
        }
        try (var s = Files.list(checkpointsDir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".partial")) {
                    FileIo.deleteTree(p);
                } else if (n.startsWith(".") && n.endsWith(".old")
                        && Files.isRegularFile(checkpointsDir.resolve(n.substring(1, n.length() - 4)).resolve(JSON))) {
                    FileIo.deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw FileIo.writeFailure(checkpointsDir, e);
        }
    }

    /** Whether checkpoint {@code name} was saved (possibly left aside by a crash between renames; see {@link #locate}). */
    static boolean exists(Path checkpointsDir, String name) {
        return Files.isRegularFile(checkpointsDir.resolve(name).resolve(JSON))
                || Files.isRegularFile(checkpointsDir.resolve("." + name + ".old").resolve(JSON));
    }
}
