package dev.unetgan.gan.app;

import dev.unetgan.gan.loss.GanLoss;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.Preset;
import dev.unetgan.gan.train.CutMixRegime;
import dev.unetgan.gan.train.GanStep;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resolved configuration of a training run: a {@link Preset}'s fields (UNETGAN.md §6), every one of which an
 * option may override, plus the run's own settings. It is stored as {@code config.json} and in every checkpoint, as
 * a flat map whose keys are the {@code train} command's option names without the dashes ({@code "g-lr"}), so that
 * "preset, then checkpoint, then command line" is one merge of maps ({@link #resolve}).
 *
 * @param data         {@code fashion-mnist} (the built-in data, 28x28 padded to 32x32) or an image folder
 * @param iterations   the total number of iterations of the run (a resumed run continues up to it)
 * @param classes      0 trains unconditionally (self-modulation); an image folder with class sub-folders may set it
 * @param warmupEpochs epochs over which the full-batch CutMix probability rises to 0.5 (UNETGAN.md §5)
 * @param device       {@code cpu}, {@code cuda} or {@code auto}
 * @param logEvery     iterations between metrics.csv rows and log lines
 * @param evalEvery    iterations between metric evaluations (0: never); the metric needs the built-in data
 */
public record TrainConfig(String preset, String data, long iterations, int batch, int res, int channels, int classes,
                          int ch, List<Integer> attention, DiscriminatorKind dArch, GanLoss loss, CutMixRegime cutmix,
                          int warmupEpochs, double gLr, double dLr, double beta1, double beta2, double adamEps,
                          double snEps, double emaDecay, long emaStart, long seed, String device, int logEvery,
                          int sampleEvery, int checkpointEvery, int evalEvery, int evalSamples, int standingPasses) {
    /** The {@code --data} value that selects the built-in Fashion-MNIST. */
    public static final String FASHION_MNIST = "fashion-mnist";
    /** The keys that shape the networks: a checkpoint only loads into the same values. */
    public static final List<String> ARCHITECTURE_KEYS = List.of("res", "channels", "classes", "ch", "attention", "d-arch");

    public TrainConfig {
        attention = List.copyOf(new TreeSet<>(attention));
        positive("iterations", iterations);
        positive("batch", batch);
        positive("log-every", logEvery);
        positive("sample-every", sampleEvery);
        positive("checkpoint-every", checkpointEvery);
        positive("standing-passes", standingPasses);
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 (batch norm needs two images), got " + batch);
        }
        if (res < 4 || Integer.bitCount(res) != 1) {
            throw new IllegalArgumentException("--res must be a power of two (32, 64, 128 or 256), got " + res
                    + "; pick one of those and the images are resized to it");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("--channels must be 1 (grayscale) or 3 (RGB), got " + channels);
        }
        if (evalEvery < 0 || (evalEvery > 0 && evalSamples < 2)) {
            throw new IllegalArgumentException("--eval-every must be >= 0 and --eval-samples >= 2, got " + evalEvery
                    + " and " + evalSamples);
        }
        if (dArch == DiscriminatorKind.BIGGAN && cutmix != CutMixRegime.OFF) {
            throw new IllegalArgumentException("--d-arch biggan has no per-pixel output for CutMix; add --cutmix off");
        }
        if (!List.of("cpu", "cuda", "auto").contains(device)) {
            throw new IllegalArgumentException("--device must be cpu, cuda or auto, got '" + device + "'");
        }
    }

    private static void positive(String name, long v) {
        if (v < 1) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + v);
        }
    }

    /** Which discriminator trains against G ({@code --d-arch}). */
    public enum DiscriminatorKind { UNET, BIGGAN }

    /**
     * The configuration of {@code preset}, then {@code saved} (a checkpoint's config; may be empty), then
     * {@code overrides} (options given on the command line), merged key by key.
     *
     * @throws IllegalArgumentException naming the option for an unknown preset, key or bad value
     */
    public static TrainConfig resolve(String preset, Map<String, ?> saved, Map<String, ?> overrides) {
        Map<String, Object> m = defaults(Preset.named(preset));
        merge(m, saved);
        merge(m, overrides);
        return fromMap(m);
    }

    private static void merge(Map<String, Object> into, Map<String, ?> from) {
        for (Map.Entry<String, ?> e : from.entrySet()) {
            if (!into.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown configuration key '" + e.getKey() + "'");
            }
            into.put(e.getKey(), e.getValue());
        }
    }

    /** A preset's fields plus the defaults of the run settings, as a map keyed like {@link #toMap()}. */
    private static Map<String, Object> defaults(Preset p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", p.name());
        // Only fashion32 names its data; the others train on a folder the user has.
        m.put("data", p == Preset.FASHION32 ? FASHION_MNIST : null);
        m.put("iterations", 10_000);
        m.put("batch", p.batch());
        m.put("res", p.resolution());
        m.put("channels", p.channels());
        m.put("classes", p.nClasses());
        m.put("ch", p.ch());
        m.put("attention", List.of());
        m.put("d-arch", "unet");
        m.put("loss", "bce");
        m.put("cutmix", p.cutmix().name());
        m.put("warmup-epochs", p.warmupEpochs());
        m.put("g-lr", p.gLr());
        m.put("d-lr", p.dLr());
        m.put("beta1", 0.0);
        m.put("beta2", 0.999);
        m.put("adam-eps", p.adamEps());
        m.put("sn-eps", p.snEps());
        m.put("ema-decay", 0.9999);
        m.put("ema-start", p.emaStart());
        m.put("seed", 0);
        m.put("device", "auto");
        m.put("log-every", 50);
        m.put("sample-every", 500);
        m.put("checkpoint-every", 500);
        m.put("eval-every", p == Preset.FASHION32 ? 1000 : 0);
        m.put("eval-samples", 2000);
        m.put("standing-passes", 100);
        return m;
    }

    private static TrainConfig fromMap(Map<String, Object> m) {
        Object data = m.get("data");
        if (data == null) {
            throw new IllegalArgumentException("preset " + m.get("preset") + " trains on an image folder: pass --data DIR"
                    + " (or --data " + FASHION_MNIST + ")");
        }
        return new TrainConfig(text(m, "preset"), data.toString(), integer(m, "iterations"),
                (int) integer(m, "batch"), (int) integer(m, "res"), (int) integer(m, "channels"),
                (int) integer(m, "classes"), (int) integer(m, "ch"), integers(m, "attention"),
                choice(m, "d-arch", DiscriminatorKind.class), choice(m, "loss", GanLoss.class),
                choice(m, "cutmix", CutMixRegime.class), (int) integer(m, "warmup-epochs"), number(m, "g-lr"),
                number(m, "d-lr"), number(m, "beta1"), number(m, "beta2"), number(m, "adam-eps"), number(m, "sn-eps"),
                number(m, "ema-decay"), integer(m, "ema-start"), integer(m, "seed"), text(m, "device"),
                (int) integer(m, "log-every"), (int) integer(m, "sample-every"), (int) integer(m, "checkpoint-every"),
                (int) integer(m, "eval-every"), (int) integer(m, "eval-samples"), (int) integer(m, "standing-passes"));
    }

    /** The configuration as the flat map of {@code config.json}; {@link #resolve} reads it back. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("data", data);
        m.put("iterations", iterations);
        m.put("batch", batch);
        m.put("res", res);
        m.put("channels", channels);
        m.put("classes", classes);
        m.put("ch", ch);
        m.put("attention", attention);
        m.put("d-arch", optionName(dArch));
        m.put("loss", optionName(loss));
        m.put("cutmix", optionName(cutmix));
        m.put("warmup-epochs", warmupEpochs);
        m.put("g-lr", gLr);
        m.put("d-lr", dLr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("adam-eps", adamEps);
        m.put("sn-eps", snEps);
        m.put("ema-decay", emaDecay);
        m.put("ema-start", emaStart);
        m.put("seed", seed);
        m.put("device", device);
        m.put("log-every", logEvery);
        m.put("sample-every", sampleEvery);
        m.put("checkpoint-every", checkpointEvery);
        m.put("eval-every", evalEvery);
        m.put("eval-samples", evalSamples);
        m.put("standing-passes", standingPasses);
        return m;
    }

    /** {@link #toMap()} as indented JSON. */
    public String toJson() {
        return Json.write(toMap(), true);
    }

    /** Reads {@link #toJson()} back (through the preset it names, so keys added later get the preset's values). */
    public static TrainConfig fromJson(String json) {
        Map<String, Object> m = Json.read(json);
        Object preset = m.get("preset");
        if (preset == null) {
            throw new IllegalArgumentException("configuration has no preset: " + json);
        }
        return resolve(preset.toString(), m, Map.of());
    }

    /** The architecture keys whose values differ between {@code this} and {@code other}, as "key a vs b" texts. */
    public List<String> architectureDifferences(TrainConfig other) {
        Map<String, Object> a = toMap();
        Map<String, Object> b = other.toMap();
        return ARCHITECTURE_KEYS.stream().filter(k -> !a.get(k).equals(b.get(k)))
                .map(k -> k + " " + a.get(k) + " vs " + b.get(k)).toList();
    }

    /** The networks' shape on {@code device}. */
    public ModelConfig model(Device device) {
        return new ModelConfig(res, channels, ch, classes, ModelConfig.DIM_Z, snEps, Set.copyOf(attention),
                DType.F32, device);
    }

    /** The step's hyper-parameters. */
    public GanStep.Settings stepSettings() {
        return new GanStep.Settings(loss, cutmix, gLr, dLr, beta1, beta2, adamEps, emaDecay, emaStart);
    }

    /** The device that {@code --device} names ({@code auto}: a GPU if there is one). */
    public Device resolveDevice() {
        return switch (device) {
            case "cpu" -> Device.CPU;
            case "cuda" -> Device.cuda(0);
            default -> Device.best();
        };
    }

    /** Whether the built-in data is used (which the classifier metric needs). */
    public boolean fashionMnist() {
        return data.equals(FASHION_MNIST);
    }

    /** An enum constant's command-line spelling: {@code EVERY_BATCH -> every-batch}. */
    static String optionName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E choice(Map<String, Object> m, String key, Class<E> type) {
        String v = text(m, key);
        for (E e : type.getEnumConstants()) {
            if (optionName(e).equals(v.toLowerCase(Locale.ROOT).replace('_', '-'))) {
                return e;
            }
        }
        throw new IllegalArgumentException("--" + key + " '" + v + "' is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(TrainConfig::optionName).toList());
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " has no value");
        }
        return v.toString();
    }

    private static long integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Number n && n.doubleValue() == n.longValue()) {
            return n.longValue();
        }
        throw new IllegalArgumentException("--" + key + " must be an integer, got " + v);
    }

    private static double number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("--" + key + " must be a number, got " + m.get(key));
    }

    private static List<Integer> integers(Map<String, Object> m, String key) {
        if (m.get(key) instanceof List<?> list) {
            return list.stream().map(o -> {
                if (o instanceof Number n) {
                    return n.intValue();
                }
                throw new IllegalArgumentException("--" + key + " must list integers, got " + list);
            }).toList();
        }
        throw new IllegalArgumentException("--" + key + " must list integers, got " + m.get(key));
    }
}
