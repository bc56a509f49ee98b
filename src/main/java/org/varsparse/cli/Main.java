package org.varsparse.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import org.varsparse.UserError;

/**
 * {@code varsparse}: the command line. Subcommands {@code train}, {@code eval}, {@code encode}, {@code info}
 * (what {@code ./run.sh train|eval|encode|info} run).
 *
 * <p>Exit status: 0 on success; {@value UserError#EXIT_CODE} for anything the user can fix (a bad option, a
 * missing file, a run folder that is a file, a diverged run), printed as one line {@code error: <what>: <problem>.
 * Fix: <fix>} without a stack trace ({@code --debug} adds it); 1 with a stack trace for a bug.
 */
@Command(name = "varsparse", mixinStandardHelpOptions = true, versionProvider = Versions.Provider.class,
        usageHelpAutoWidth = true,
        description = {"Sparse coding with variance regularization (Evtimova & LeCun, TMLR 2022) on the JVM.",
                "Train on MNIST, evaluate (PSNR, sparsity, denoising), write codes; see README.md."})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on an error, print the stack trace as well as the one-line message")
    boolean debug;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no command given: use train, eval, encode or info");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams (tests call this in-process); returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        try {
            return commandLine(new Io(out, err), debug).execute(args);
        } catch (OutOfMemoryError e) { // errors bypass picocli's exception handler
            if (debug) {
                e.printStackTrace(err);
            }
            err.println("error: the Java heap is full (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB). Fix:"
                    + " give it more, e.g. VARSPARSE_JAVA_OPTS=-Xmx4g ./run.sh ..., or lower --batch-size");
            return UserError.EXIT_CODE;
        }
    }

    static CommandLine commandLine(Io io, boolean debug) {
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand(new TrainCommand(io))
                .addSubcommand(new EvalCommand(io))
                .addSubcommand(new EncodeCommand(io))
                .addSubcommand(new InfoCommand(io))
                .addSubcommand(new ClassifyCommand(io))
                .addSubcommand(new SweepCommand(io))
                .addSubcommand(new DenoiseImageCommand(io))
                .addSubcommand(new ReportCommand(io))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(true) // the last one wins, as in most Unix tools (sweep refuses repeats)
                .setOut(new PrintWriter(io.out(), true))
                .setErr(new PrintWriter(io.err(), true));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            if (debug) {
                ex.printStackTrace(c.getErr());
            }
            String name = c.getCommandSpec().qualifiedName();
            String msg = new UserError(ex.getMessage()).getMessage().replaceAll("\\.$", "");
            c.getErr().println("error: " + name + ": " + msg + ". Fix: see '" + name + " --help'");
            return UserError.EXIT_CODE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (debug) {
                ex.printStackTrace(c.getErr());
            }
            if (ex instanceof UserError) {
                c.getErr().println("error: " + ex.getMessage());
                return UserError.EXIT_CODE;
            }
            if (!debug) {
                ex.printStackTrace(c.getErr()); // a bug: keep the stack trace
            }
            c.getErr().println("error: internal error (a bug; please report it with the stack trace above): " + ex);
            return 1;
        });
        return cl;
    }

    /** The streams a command writes to: results on {@code out}, progress and errors on {@code err}. */
    record Io(PrintStream out, PrintStream err) {
    }
}
