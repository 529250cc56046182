package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.Json;
import dev.unetgan.gan.app.Plots;
import dev.unetgan.gan.app.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code unetgan compare}: one metric of several runs (their {@code eval.csv}) in one plot and one Markdown table, as
 * the paper's comparison of discriminators needs. Each run is named by its folder.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Plot a metric of several runs against iteration into one PNG, and print it as a Markdown"
                + " table: one row per evaluated iteration, one column per run, and each run's best value."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders, each with an eval.csv.")
    List<Path> runs;

    @Option(names = "--metric", defaultValue = "fcd", description = "A column of eval.csv: fcd, classifier_score, precision or recall (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--out", defaultValue = "compare.png", description = "The PNG to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<Plots.Series> series = new ArrayList<>();
        for (Path run : runs) {
            Path eval = new RunFolder(run).eval();
            if (!Files.isRegularFile(eval)) {
                throw new IllegalArgumentException(run + " has no eval.csv; only runs on fashion-mnist with"
                        + " --eval-every above 0 compute the metric");
            }
            series.add(Plots.read(eval, metric, run.getFileName().toString()));
        }
        Plots.chart(series, metric + " of the EMA G", metric, out);

        PrintWriter w = spec.commandLine().getOut();
        for (int i = 0; i < runs.size(); i++) {
            w.println("- " + series.get(i).name() + ": " + describe(runs.get(i)));
        }
        w.println();
        w.println("| iteration | " + String.join(" | ", series.stream().map(Plots.Series::name).toList()) + " |");
        w.println("|---" + "|---".repeat(series.size()) + "|");
        TreeSet<Double> iterations = new TreeSet<>();
        series.forEach(s -> iterations.addAll(s.x()));
        for (double it : iterations) {
            List<String> cells = new ArrayList<>();
            for (Plots.Series s : series) {
                int k = s.x().indexOf(it);
                cells.add(k < 0 ? "" : format(s.y().get(k)));
            }
            w.println("| " + (long) it + " | " + String.join(" | ", cells) + " |");
        }
        // The Fréchet distance falls as G improves; the classifier score, precision and recall rise.
        boolean lowerIsBetter = metric.equals("fcd");
        List<String> best = new ArrayList<>();
        for (Plots.Series s : series) {
            best.add(s.y().isEmpty() ? "" : format(s.y().stream().mapToDouble(Double::doubleValue)
                    .reduce(lowerIsBetter ? Math::min : Math::max).orElseThrow()));
        }
        w.println("| best | " + String.join(" | ", best) + " |");
        w.println();
        w.println("wrote " + out);
        w.flush();
        return 0;
    }

    /** The run's discriminator, CutMix regime, seed and length, from its config.json. */
    private static String describe(Path run) throws IOException {
        Path file = new RunFolder(run).config();
        if (!Files.isRegularFile(file)) {
            return "(no config.json)";
        }
        Map<String, Object> c = Json.read(Files.readString(file));
        return String.format(Locale.ROOT, "D %s, CutMix %s, seed %s, %s iterations", c.get("d-arch"), c.get("cutmix"),
                c.get("seed"), c.get("iterations"));
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.3f" : "%.1f", v);
    }
}
