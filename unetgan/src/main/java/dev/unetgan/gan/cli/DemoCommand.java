package dev.unetgan.gan.cli;

import dev.unetgan.gan.demo.ConvNetDemo;
import dev.unetgan.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code unetgan demo}: fits a small convnet with the engine's autograd, as a quick end-to-end check. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fit a small convnet on a synthetic 4-class image task and report the test accuracy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "300", description = "SGD steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        ConvNetDemo.Result r = new ConvNetDemo(Device.best(), seed).train(steps, batch, System.out);
        System.out.printf("test accuracy %.1f%% after %d steps in %.1f s%n", 100 * r.testAccuracy(), steps, r.seconds());
        return 0;
    }
}
