package dev.unetgan.gan.cli;

import dev.unetgan.gan.model.BigGanDiscriminator;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.Preset;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.NDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code unetgan inspect}: builds G, the U-Net D and the baseline D (uninitialized, so that it is quick) and prints
 * their layer tables, parameter counts and SN buffer counts.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print the layer tables and parameter counts of G, the U-Net D and the baseline D.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "celeba128", description = "ffhq256, celeba128, coco128 or fashion32 (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--res", description = "Resolution: 32, 64, 128 or 256 (default: the preset's).")
    Integer res;

    @Option(names = "--ch", description = "Base width (default: the preset's).")
    Integer ch;

    @Option(names = "--channels", description = "Image channels c, 1 or 3 (default: the preset's).")
    Integer channels;

    @Option(names = "--classes", description = "Class count; 0 = unconditional, self-modulation (default: the preset's).")
    Integer classes;

    @Option(names = "--attention", split = ",", description = "Resolutions with self-attention (default: none).")
    List<Integer> attention = List.of();

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    /** One module that owns state directly. */
    record Row(String name, String type, String shapes, long params, long snU) {
    }

    /** A model's rows and totals. */
    record Report(String model, List<Row> rows, long params, long snLayers, long snU) {
    }

    @Override
    public Integer call() {
        Preset p = Preset.named(preset);
        ModelConfig base = p.model();
        ModelConfig cfg = new ModelConfig(or(res, base.resolution()), or(channels, base.channels()), or(ch, base.ch()),
                or(classes, base.nClasses()), base.dimZ(), base.snEps(), Set.copyOf(attention), base.dtype(), base.device());
        List<Report> reports = List.of(
                report("G", cfg, c -> new BigGanGenerator(c, null)),
                report("D", cfg, c -> new UNetDiscriminator(c, null)),
                report("Baseline D", cfg, c -> new BigGanDiscriminator(c, null)));
        PrintStream out = System.out;
        if (json) {
            out.println(toJson(cfg, reports));
        } else {
            out.printf("config: res %d, c %d, ch %d, %s, attention %s%n", cfg.resolution(), cfg.channels(), cfg.ch(),
                    cfg.conditional() ? cfg.nClasses() + " classes (class-conditional BN, projection D)" : "unconditional (self-modulation)",
                    cfg.attention().isEmpty() ? "none" : cfg.attention());
            for (Report r : reports) {
                printTable(out, r);
            }
            for (Report r : reports) {
                out.printf("%s params: %d%n", r.model(), r.params());
                out.printf("%s SN layers: %d, SN u elements: %d%n", r.model(), r.snLayers(), r.snU());
            }
        }
        return 0;
    }

    private static int or(Integer given, int fallback) {
        return given != null ? given : fallback;
    }

    private static Report report(String name, ModelConfig cfg, Function<ModelConfig, Module> build) {
        try (Module m = build.apply(cfg)) {
            Set<String> paramKeys = m.namedParameters().keySet();
            Map<String, List<String>> byOwner = new LinkedHashMap<>();
            Map<String, long[]> counts = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : m.stateDict().entrySet()) {
                String key = e.getKey();
                int dot = key.lastIndexOf('.');
                String owner = dot < 0 ? "" : key.substring(0, dot);
                String leaf = key.substring(dot + 1);
                long[] c = counts.computeIfAbsent(owner, k -> new long[2]);
                if (paramKeys.contains(key)) {
                    c[0] += e.getValue().size();
                    byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(leaf + Arrays.toString(e.getValue().shape().dims()));
                } else if (leaf.equals("u0")) {
                    c[1] += e.getValue().size();
                }
            }
            Map<String, Module> modules = m.namedModules();
            List<Row> rows = new ArrayList<>();
            long snLayers = 0;
            long snU = 0;
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                String owner = e.getKey();
                rows.add(new Row(owner, modules.get(owner).getClass().getSimpleName(),
                        String.join(" ", byOwner.getOrDefault(owner, List.of())), e.getValue()[0], e.getValue()[1]));
                snLayers += e.getValue()[1] > 0 ? 1 : 0;
                snU += e.getValue()[1];
            }
            return new Report(name, rows, m.parameterCount(), snLayers, snU);
        }
    }

    private static void printTable(PrintStream out, Report r) {
        out.printf("%n%s%n%-32s %-22s %12s %8s  %s%n", r.model(), "layer", "type", "params", "SN u", "parameters");
        for (Row row : r.rows()) {
            out.printf("%-32s %-22s %12d %8d  %s%n", row.name(), row.type(), row.params(), row.snU(), row.shapes());
        }
    }

    private static String toJson(ModelConfig cfg, List<Report> reports) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"config\":{\"res\":").append(cfg.resolution()).append(",\"channels\":").append(cfg.channels())
                .append(",\"ch\":").append(cfg.ch()).append(",\"classes\":").append(cfg.nClasses())
                .append(",\"attention\":").append(cfg.attention().stream().sorted().toList()).append('}');
        for (Report r : reports) {
            sb.append(",\"").append(r.model()).append("\":{\"params\":").append(r.params()).append(",\"sn_layers\":")
                    .append(r.snLayers()).append(",\"sn_u\":").append(r.snU()).append(",\"layers\":[");
            for (int i = 0; i < r.rows().size(); i++) {
                Row row = r.rows().get(i);
                sb.append(i == 0 ? "" : ",").append("{\"name\":\"").append(row.name()).append("\",\"type\":\"")
                        .append(row.type()).append("\",\"params\":").append(row.params()).append(",\"sn_u\":")
                        .append(row.snU()).append('}');
            }
            sb.append("]}");
        }
        return sb.append('}').toString();
    }
}
