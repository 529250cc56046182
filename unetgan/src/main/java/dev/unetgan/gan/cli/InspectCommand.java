package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.Json;
import dev.unetgan.gan.app.RunFolder;
import dev.unetgan.gan.app.TrainingCheckpoint;
import dev.unetgan.gan.model.BigGanDiscriminator;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.Preset;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code unetgan inspect}: builds G, the U-Net D and the baseline D (uninitialized, so that it is quick) of a preset
 * (with overrides) or of a training checkpoint's configuration, and prints their layer tables, parameter counts and
 * SN buffer counts.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print the layer tables and parameter counts of G, the U-Net D and the baseline D, for a preset"
                + " or a checkpoint.")
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

    @Option(names = "--checkpoint", description = "Inspect the architecture of this run folder's (or file's) checkpoint instead of a preset.")
    Path checkpoint;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    /** One module that owns state directly. */
    record Row(String name, String type, String shapes, long params, long snU) {
    }

    /** A model's rows and totals. */
    record Report(String model, List<Row> rows, long params, long snLayers, long snU) {
    }

    @Override
    public Integer call() throws IOException {
        ModelConfig cfg;
        Map<String, Object> source = new LinkedHashMap<>();
        if (checkpoint != null) {
            try (TrainingCheckpoint.Loaded loaded = TrainingCheckpoint.read(RunFolder.checkpointIn(checkpoint))) {
                cfg = loaded.config().model(Device.CPU);
                source.put("checkpoint", loaded.file().toString());
                source.put("iteration", loaded.progress().iteration());
                source.put("train_config", loaded.config().toMap());
            }
        } else {
            Preset p = Preset.named(preset);
            ModelConfig base = p.model();
            cfg = new ModelConfig(or(res, base.resolution()), or(channels, base.channels()), or(ch, base.ch()),
                    or(classes, base.nClasses()), base.dimZ(), base.snEps(), Set.copyOf(attention), base.dtype(),
                    base.device());
            source.put("preset", p.name());
        }
        List<Report> reports = List.of(
                report("G", cfg, c -> new BigGanGenerator(c, null)),
                report("D", cfg, c -> new UNetDiscriminator(c, null)),
                report("Baseline D", cfg, c -> new BigGanDiscriminator(c, null)));
        PrintStream out = System.out;
        if (json) {
            out.println(toJson(source, cfg, reports));
        } else {
            if (source.containsKey("checkpoint")) {
                out.printf("checkpoint %s at iteration %d%n", source.get("checkpoint"), source.get("iteration"));
            }
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

    private static String toJson(Map<String, Object> source, ModelConfig cfg, List<Report> reports) {
        Map<String, Object> root = new LinkedHashMap<>(source);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("res", cfg.resolution());
        config.put("channels", cfg.channels());
        config.put("ch", cfg.ch());
        config.put("classes", cfg.nClasses());
        config.put("attention", cfg.attention().stream().sorted().toList());
        root.put("config", config);
        for (Report r : reports) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("params", r.params());
            model.put("sn_layers", r.snLayers());
            model.put("sn_u", r.snU());
            model.put("layers", r.rows().stream().map(row -> {
                Map<String, Object> layer = new LinkedHashMap<>();
                layer.put("name", row.name());
                layer.put("type", row.type());
                layer.put("params", row.params());
                layer.put("sn_u", row.snU());
                return layer;
            }).toList());
            root.put(r.model(), model);
        }
        return Json.write(root, false);
    }
}
