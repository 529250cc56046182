package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;

/** Entry point of {@code unetgan.jar}: one subcommand per task. */
@Command(name = "unetgan", mixinStandardHelpOptions = true, version = "unetgan 0.1.0",
        description = "U-Net GAN on a from-scratch Java tensor engine.",
        subcommands = {DemoCommand.class, ClassifyCommand.class, InspectCommand.class, TrainCommand.class,
                SampleCommand.class, EvaluateCommand.class, CompareCommand.class})
public final class Main {
    /** The exit code of a usage error found before any work starts (bad input, a missing file). */
    static final int BAD_INPUT = 2;
    /** The exit code of a training run stopped by a NaN or infinite loss. */
    static final int DIVERGED = 3;

    public static void main(String[] args) {
        // One plain line per log record (the device choice, skipped files), not the JDK's two-line default.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        // PNG figures are drawn off screen; no display is needed.
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error policy: bad input ({@link IllegalArgumentException}, an unreadable file) and a
     * diverged run print one {@code error:} line naming what to do, without a stack trace; anything else is a bug and
     * keeps its trace.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                    || e instanceof Trainer.DivergedException) {
                line.getErr().println("error: " + e.getMessage());
                return e instanceof Trainer.DivergedException ? DIVERGED : BAD_INPUT;
            }
            throw e;
        });
        return cl;
    }
}
