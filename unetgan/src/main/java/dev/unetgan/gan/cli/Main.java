package dev.unetgan.gan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code unetgan.jar}: one subcommand per task. */
@Command(name = "unetgan", mixinStandardHelpOptions = true, version = "unetgan 0.1.0",
        description = "U-Net GAN on a from-scratch Java tensor engine.",
        subcommands = {DemoCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
