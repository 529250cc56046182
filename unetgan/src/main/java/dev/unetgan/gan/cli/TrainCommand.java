package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.RunFolder;
import dev.unetgan.gan.app.TrainConfig;
import dev.unetgan.gan.app.Trainer;
import dev.unetgan.gan.app.TrainingCheckpoint;
import dev.unetgan.gan.app.TrainingData;
import dev.unetgan.gan.app.eval.ClassifierCache;
import dev.unetgan.gan.app.eval.ClassifierMetrics;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code unetgan train}: trains U-Net GAN (or the BigGAN baseline) from a preset, every field of which an option can
 * override, writing everything to {@code --out} (see {@link RunFolder}). The options are the keys of
 * {@code config.json}; an option left out takes the preset's value, or, with {@code --resume}, the checkpoint's.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train U-Net GAN. Outputs in --out: config.json, metrics.csv, eval.csv, samples/*.png (EMA G"
                + " samples and D's decision maps), plots/*.png, checkpoints/latest.safetensors and best.safetensors.",
                "Ctrl-C writes a checkpoint and stops; --resume DIR continues the run."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "fashion32", description = "ffhq256, celeba128, coco128 or fashion32 (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--data", description = "'fashion-mnist' (built in) or an image folder (class sub-folders for conditional training).")
    String data;

    @Option(names = "--out", description = "Run folder (default: runs/<preset>).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in this folder from checkpoints/latest.safetensors.")
    Path resume;

    @Option(names = "--classifier", description = "The cached classifier of the metric (default: ~/.cache/unetgan/fashion-classifier.safetensors; trained once if missing).")
    Path classifier;

    @Option(names = "--iterations", description = "Total iterations of the run (default: 10000).") Long iterations;
    @Option(names = "--batch", description = "Batch size (default: the preset's).") Integer batch;
    @Option(names = "--ch", description = "Base width of G and D (default: the preset's).") Integer ch;
    @Option(names = "--res", description = "Resolution, a power of two: 32, 64, 128 or 256 (default: the preset's).") Integer res;
    @Option(names = "--channels", description = "Image channels, 1 or 3; converts every image (default: the data's).") Integer channels;
    @Option(names = "--classes", description = "Class count; 0 trains unconditionally (default: the preset's, or the folder's sub-folders).") Integer classes;
    @Option(names = "--attention", split = ",", description = "Resolutions with self-attention, e.g. 16 (default: none).") List<Integer> attention;
    @Option(names = "--d-arch", description = "unet or biggan (default: unet).") String dArch;
    @Option(names = "--loss", description = "bce or hinge (default: bce).") String loss;
    @Option(names = "--cutmix", description = "every-batch, full-batch, consistency-only or off (default: the preset's).") String cutmix;
    @Option(names = "--warmup-epochs", description = "Epochs of the full-batch CutMix warm-up (default: the preset's).") Integer warmupEpochs;
    @Option(names = "--g-lr", description = "G's learning rate (default: the preset's).") Double gLr;
    @Option(names = "--d-lr", description = "D's learning rate (default: the preset's).") Double dLr;
    @Option(names = "--beta1", description = "Adam beta1 (default: 0).") Double beta1;
    @Option(names = "--beta2", description = "Adam beta2 (default: 0.999).") Double beta2;
    @Option(names = "--adam-eps", description = "Adam eps (default: the preset's).") Double adamEps;
    @Option(names = "--sn-eps", description = "Spectral norm eps (default: the preset's).") Double snEps;
    @Option(names = "--ema-decay", description = "EMA decay of G (default: 0.9999).") Double emaDecay;
    @Option(names = "--ema-start", description = "Iteration at which the EMA starts averaging (default: the preset's).") Long emaStart;
    @Option(names = "--seed", description = "Seed of the init, the data order and the step's randomness (default: 0).") Long seed;
    @Option(names = "--device", description = "cpu, cuda or auto (default: auto).") String device;
    @Option(names = "--log-every", description = "Iterations between metrics.csv rows and log lines (default: 50).") Integer logEvery;
    @Option(names = "--sample-every", description = "Iterations between sample grids (default: 500).") Integer sampleEvery;
    @Option(names = "--checkpoint-every", description = "Iterations between checkpoints (default: 500).") Integer checkpointEvery;
    @Option(names = "--eval-every", description = "Iterations between metric evaluations; 0: never (default: 1000 on fashion-mnist).") Integer evalEvery;
    @Option(names = "--eval-samples", description = "Images per metric evaluation (default: 2000).") Integer evalSamples;
    @Option(names = "--standing-passes", description = "Standing-statistics passes before sampling (default: 100).") Integer standingPasses;

    PrintStream log = System.out;

    /** The options given, keyed as in config.json. */
    private Map<String, Object> overrides() {
        Map<String, Object> m = new LinkedHashMap<>();
        Object[][] pairs = {{"data", data}, {"iterations", iterations}, {"batch", batch}, {"ch", ch}, {"res", res},
                {"channels", channels}, {"classes", classes}, {"attention", attention}, {"d-arch", dArch},
                {"loss", loss}, {"cutmix", cutmix}, {"warmup-epochs", warmupEpochs}, {"g-lr", gLr}, {"d-lr", dLr},
                {"beta1", beta1}, {"beta2", beta2}, {"adam-eps", adamEps}, {"sn-eps", snEps},
                {"ema-decay", emaDecay}, {"ema-start", emaStart}, {"seed", seed}, {"device", device},
                {"log-every", logEvery}, {"sample-every", sampleEvery}, {"checkpoint-every", checkpointEvery},
                {"eval-every", evalEvery}, {"eval-samples", evalSamples}, {"standing-passes", standingPasses}};
        for (Object[] p : pairs) {
            if (p[1] != null) {
                m.put((String) p[0], p[1]);
            }
        }
        return m;
    }

    @Override
    public Integer call() throws IOException {
        Map<String, Object> overrides = overrides();
        TrainingCheckpoint.Loaded loaded = null;
        try {
            TrainConfig config;
            RunFolder run;
            Set<String> explicit = new HashSet<>(overrides.keySet());
            if (resume != null) {
                if (out != null && !out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("--out " + out + " and --resume " + resume + " differ; a resumed"
                            + " run continues in its own folder, so drop --out");
                }
                loaded = TrainingCheckpoint.read(RunFolder.checkpointIn(resume));
                config = TrainConfig.resolve(loaded.config().preset(), loaded.config().toMap(), overrides);
                List<String> diff = loaded.config().architectureDifferences(config);
                if (!diff.isEmpty()) {
                    throw new IllegalArgumentException("the checkpoint in " + resume + " is of another architecture than"
                            + " the options ask for (" + String.join(", ", diff) + "); drop those options to resume,"
                            + " or start a new run with another --out");
                }
                // The data were checked and the config adjusted to them when the run started.
                explicit.addAll(config.toMap().keySet());
                run = new RunFolder(resume);
            } else {
                config = TrainConfig.resolve(preset, Map.of(), overrides);
                run = new RunFolder(out != null ? out : Path.of("runs", config.preset()));
                if (Files.exists(run.latest())) {
                    throw new IllegalArgumentException(run.root() + " already holds a run (" + run.latest() + "); pass"
                            + " --resume " + run.root() + " to continue it, or choose another --out");
                }
            }
            TrainingData.Opened opened = TrainingData.open(config, explicit);
            config = opened.config();
            run.create();
            log.println("training " + describe(config) + " on " + opened.dataset().size() + " images; outputs in "
                    + run.root().toAbsolutePath());
            Trainer.Result r = new Trainer(config, opened.dataset(), run, log, metrics(config)).run(loaded);
            return r.status() == Trainer.Status.FINISHED ? 0 : 130;
        } finally {
            if (loaded != null) {
                loaded.close();
            }
        }
    }

    private Supplier<ClassifierMetrics> metrics(TrainConfig config) {
        if (!config.fashionMnist() || config.evalEvery() == 0) {
            if (!config.fashionMnist()) {
                log.println("note: the classifier metric (and so best.safetensors) needs --data fashion-mnist;"
                        + " this run writes only latest.safetensors");
            }
            return null;
        }
        Device device = config.resolveDevice();
        Path file = classifier != null ? classifier : ClassifierCache.defaultFile();
        return () -> {
            try {
                var test = FashionMnist.test(true);
                return new ClassifierMetrics(ClassifierCache.load(file, device, log), test,
                        Math.min(config.evalSamples(), test.size()), device);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static String describe(TrainConfig c) {
        return String.format("%s: %dx%d, %d channel(s), ch %d, %s, D %s, CutMix %s, batch %d, %d iterations",
                c.preset(), c.res(), c.res(), c.channels(), c.ch(),
                c.classes() > 0 ? c.classes() + " classes" : "unconditional", c.dArch().name().toLowerCase(),
                c.cutmix().name().toLowerCase().replace('_', '-'), c.batch(), c.iterations());
    }
}
