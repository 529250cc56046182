package dev.unetgan.gan.app;

import dev.unetgan.gan.train.GanStep;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.data.DataLoader;
import dev.unetgan.nn.io.SafeTensors;
import dev.unetgan.tensor.NDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training checkpoint (UNETGAN.md §7): one safetensors file holding G ({@code G.*}), D ({@code D.*}), the EMA G
 * ({@code G_ema.*}, the official names after the prefix), both Adam states ({@code G_opt.*}, {@code D_opt.*}), and in
 * the metadata the resolved configuration, the iteration, the step RNG's state, the data loader's position and the
 * best metric so far. That is everything a resumed run needs to continue the same run bit for bit.
 *
 * <p>Writes are atomic ({@link SafeTensors#write}: a temporary file in the same folder, forced to disk, then
 * {@code ATOMIC_MOVE}d over the target), so a crash or kill at any moment leaves the previous file loadable.
 */
public final class TrainingCheckpoint {
    /** The metadata value of {@code format}; a file without it is not a training checkpoint. */
    public static final String FORMAT = "unetgan-train-1";
    static final String G = "G.";
    static final String D = "D.";
    static final String G_EMA = "G_ema.";
    static final String G_OPT = "G_opt.";
    static final String D_OPT = "D_opt.";

    /** The scalars of a run's progress: iterations done, the step RNG, the loader, the best metric (NaN: none). */
    public record Progress(long iteration, long rngSeed, long rngOffset, DataLoader.Position position,
                           double bestMetric) {
    }

    /** A read checkpoint: its configuration, progress and tensors (closed with it). */
    public record Loaded(Path file, TrainConfig config, Progress progress, SafeTensors.Contents contents)
            implements AutoCloseable {
        /** The tensors under {@code prefix}, with the prefix removed. */
        public Map<String, NDArray> part(String prefix) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            contents.tensors().forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), v);
                }
            });
            return out;
        }

        /**
         * Loads {@code part(prefix)} into {@code module} strictly.
         *
         * @throws IllegalArgumentException naming the file when the tensors do not fit (another architecture)
         */
        public void loadInto(String prefix, Module module) {
            try {
                module.loadStateDict(part(prefix));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint " + file + " does not fit the architecture of its own"
                        + " configuration (" + prefix + "): it was written by another version; " + e.getMessage(), e);
            }
        }

        /** Restores the networks and both optimizers of a run from this checkpoint. */
        public void restore(GanModels models, GanStep step) {
            loadInto(G, models.g());
            loadInto(D, models.d());
            loadInto(G_EMA, models.gEma());
            step.generatorOptimizer().loadStateDict(part(G_OPT));
            step.discriminatorOptimizer().loadStateDict(part(D_OPT));
        }

        @Override
        public void close() {
            contents.close();
        }
    }

    private TrainingCheckpoint() {
    }

    /** Writes the whole training state to {@code file}, atomically. */
    public static void save(Path file, TrainConfig config, GanModels models, GanStep step, Progress progress)
            throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        put(tensors, G, models.g().stateDict());
        put(tensors, D, models.d().stateDict());
        put(tensors, G_EMA, models.gEma().stateDict());
        Map<String, NDArray> gOpt = step.generatorOptimizer().stateDict();
        Map<String, NDArray> dOpt = step.discriminatorOptimizer().stateDict();
        try {
            put(tensors, G_OPT, gOpt);
            put(tensors, D_OPT, dOpt);
            Files.createDirectories(file.toAbsolutePath().getParent());
            SafeTensors.write(file, tensors, metadata(config, progress));
        } finally {
            // The optimizers hand out copies; the module state dicts are live arrays and stay open.
            gOpt.values().forEach(NDArray::close);
            dOpt.values().forEach(NDArray::close);
        }
    }

    private static void put(Map<String, NDArray> into, String prefix, Map<String, NDArray> part) {
        part.forEach((k, v) -> into.put(prefix + k, v));
    }

    private static Map<String, String> metadata(TrainConfig config, Progress p) {
        Map<String, String> m = new TreeMap<>();
        m.put("format", FORMAT);
        m.put("config", Json.write(config.toMap(), false));
        m.put("iteration", Long.toString(p.iteration()));
        m.put("rng_seed", Long.toString(p.rngSeed()));
        m.put("rng_offset", Long.toString(p.rngOffset()));
        m.put("loader_epoch", Integer.toString(p.position().epoch()));
        m.put("loader_index", Integer.toString(p.position().index()));
        m.put("best_metric", Double.toString(p.bestMetric()));
        return m;
    }

    /**
     * Reads a checkpoint written by {@link #save}.
     *
     * @throws IllegalArgumentException naming the file if it is missing or not a training checkpoint
     * @throws IOException if it cannot be read
     */
    public static Loaded read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no checkpoint at " + file + "; pass a run folder (holding"
                    + " checkpoints/latest.safetensors) or a .safetensors file that `unetgan train` wrote");
        }
        SafeTensors.Contents contents = SafeTensors.read(file);
        try {
            Map<String, String> m = contents.metadata();
            if (!FORMAT.equals(m.get("format"))) {
                throw new IllegalArgumentException(file + " is not a training checkpoint of this program (format '"
                        + m.get("format") + "', expected '" + FORMAT + "')");
            }
            Progress progress = new Progress(Long.parseLong(m.get("iteration")), Long.parseLong(m.get("rng_seed")),
                    Long.parseLong(m.get("rng_offset")), new DataLoader.Position(
                    Integer.parseInt(m.get("loader_epoch")), Integer.parseInt(m.get("loader_index"))),
                    Double.parseDouble(m.get("best_metric")));
            return new Loaded(file, TrainConfig.fromJson(m.get("config")), progress, contents);
        } catch (RuntimeException e) {
            contents.close();
            throw e;
        }
    }
}
