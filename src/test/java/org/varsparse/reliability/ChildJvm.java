package org.varsparse.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line in a child JVM: this JVM's {@code java} and class path, the Vector API module, and
 * {@code org.varsparse.cli.Main}; optionally under a shell {@code ulimit} (a file-size limit stands in for a full
 * disk: the JVM ignores SIGXFSZ, so a write past the limit fails with EFBIG, "File too large").
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The java command line for {@code args}, with {@code jvmFlags} (e.g. -Xmx256m) before the class path. */
    static List<String> command(List<String> jvmFlags, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-XX:+UseSerialGC"); // one GC thread: the machine has 2 cores and the trials run one at a time
        cmd.add("-XX:TieredStopAtLevel=1"); // C1 only: tiny runs are dominated by JIT warm-up
        cmd.add("-Dvarsparse.progress=lines");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.varsparse.cli.Main");
        cmd.addAll(args);
        return cmd;
    }

    /** {@code cmd} run by bash after {@code ulimit <limit>} (e.g. "-f 64": files of at most 64 KiB). */
    static List<String> underUlimit(String limit, List<String> cmd) {
        List<String> b = new ArrayList<>(List.of("bash", "-c", "ulimit " + limit + " && exec \"$@\"", "bash"));
        b.addAll(cmd);
        return b;
    }

    /** {@code cmd} with stderr to {@code log} and stdout to {@code log} + ".out". */
    static ProcessBuilder builder(List<String> cmd, Path log) {
        return new ProcessBuilder(cmd).redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
                .redirectError(log.toFile());
    }

    /** Runs to completion (at most {@code timeoutSeconds}); the exit status and stderr. */
    static Cli.Result run(List<String> cmd, Path log, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = builder(cmd, log).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("no exit within " + timeoutSeconds + " s: " + cmd);
        }
        return new Cli.Result(cmd, p.exitValue(),
                Files.readString(log.resolveSibling(log.getFileName() + ".out"), StandardCharsets.UTF_8),
                Files.readString(log, StandardCharsets.UTF_8));
    }
}
