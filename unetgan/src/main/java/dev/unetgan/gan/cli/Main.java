package dev.unetgan.gan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code unetgan.jar}: one subcommand per task. */
@Command(name = "unetgan", mixinStandardHelpOptions = true, version = "unetgan 0.1.0",
        description = "U-Net GAN on a from-scratch Java tensor engine.",
        subcommands = {DemoCommand.class, ClassifyCommand.class, InspectCommand.class})
public final class Main {
    public static void main(String[] args) {
        // One plain line per log record (the device choice, skipped files), not the JDK's two-line default.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
