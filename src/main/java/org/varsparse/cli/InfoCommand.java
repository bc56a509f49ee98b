package org.varsparse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.varsparse.backend.Backends;
import org.varsparse.data.MnistFetcher;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code varsparse info}: the JDK, cores, heap, backends and the one {@code --backend} selects. */
@Command(name = "info", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Print the JDK, cores, heap, CPU backends (simd availability and vector width) and the selected one.")
final class InfoCommand implements Callable<Integer> {
    private final Main.Io io;

    @Mixin
    BackendOptions backend = new BackendOptions();

    InfoCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        TensorOps ops = backend.create(); // first: a bad --backend or --threads is one line, not a half table
        var o = io.out();
        o.println("varsparse " + Versions.varsparse());
        o.println("  JDK:          " + Versions.jdk());
        o.println("  cores:        " + Runtime.getRuntime().availableProcessors());
        o.println("  max heap:     " + HeapMeter.mib(HeapMeter.maxBytes()));
        String why = Backends.simdUnavailableReason();
        o.println("  scalar:       available (the reference kernels)");
        o.println("  simd:         " + (why == null ? "available, " + Backends.simdVectorBits() + "-bit float vectors"
                : "unavailable: " + why));
        String tornado = Backends.tornadoDevices();
        o.println("  tornado:      " + (tornado == null ? "unavailable: " + Backends.tornadoUnavailableReason()
                + " (fix: " + Backends.TORNADO_FIX + ")" : tornado));
        o.println("  selected:     " + Backends.describe(ops) + "  (" + backend.source() + ")");
        Path cache = MnistFetcher.defaultCacheDir();
        o.println("  MNIST cache:  " + cache + (Files.isRegularFile(cache.resolve("train-images-idx3-ubyte"))
                ? "" : " (empty: train fetches it with npm)"));
        return 0;
    }
}
