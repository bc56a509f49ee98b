package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run.sh as a fresh clone meets it: a copy of the script in a folder with no {@code target/} and a stand-in
 * {@code mvn} on the PATH that only records its arguments. The script must build first (the README's first
 * command), not stop before doing anything.
 */
class RunScriptTest {
    @TempDir
    Path clone;
    private Path mvnLog;

    @BeforeEach
    void freshClone() throws IOException {
        Files.copy(Paths.get("run.sh"), clone.resolve("run.sh"));
        Path bin = Files.createDirectories(clone.resolve("fake-bin"));
        mvnLog = clone.resolve("mvn.log");
        Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho \"$*\" >> '" + mvnLog + "'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aCommandInACloneWithoutTargetBuildsFirst() throws Exception {
        Result r = run("info");
        assertTrue(Files.exists(mvnLog), "run.sh stopped before building (exit " + r.exit + "): " + r.err);
        assertTrue(Files.readString(mvnLog).contains("-DskipTests install"), Files.readString(mvnLog));
        assertTrue(r.err.contains("+ mvn -B -q -e -DskipTests install"), r.err);
    }

    /** The main job's banner states what train runs, and train gets each default only where none was given. */
    @Test
    void mainJobBannerStatesWhatTrainWillRun() throws Exception {
        Result plain = run("main");
        assertTrue(plain.err.contains("mnist-vdl for 3 epochs"), plain.err);
        assertTrue(plain.err.contains(" org.varsparse.cli.Main train --preset mnist-vdl --epochs 3\n"), plain.err);
        assertTrue(run("main", "--epochs", "1").err.contains("mnist-vdl for 1 epoch,"));
        Result given = run("main", "--epochs=7", "--preset", "mnist-sdl", "--train-limit", "500");
        assertTrue(given.err.contains("mnist-sdl for 7 epochs"), given.err);
        assertTrue(given.err.contains(" train --epochs=7 --preset mnist-sdl --train-limit 500\n"), given.err);
    }

    @Test
    void unknownCommandIsOneLineWithExitTwo() throws Exception {
        Result r = run("trian");
        assertEquals(2, r.exit);
        assertTrue(r.err.lines().anyMatch(l -> l.startsWith("run.sh: unknown command 'trian'")), r.err);
    }

    private record Result(int exit, String err) {
    }

    private Result run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", clone.resolve("run.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", clone.resolve("fake-bin") + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("TORNADO_SDK");
        pb.environment().remove("CI");
        pb.environment().remove("VARSPARSE_MAIN_EPOCHS");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "run.sh did not finish");
        return new Result(p.exitValue(), err);
    }
}
