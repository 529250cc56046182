package dev.unetgan.gan.model;

import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

/**
 * F64 gradient checks at tiny sizes of every block (every element) and of the whole U-Net D, baseline D and G (32x32,
 * ch 2; along random directions, which costs two passes each instead of two per input element), in eval mode so that SN's
 * {@code u} stays frozen between the evaluations (the batch norm alone is also checked in training mode, where its
 * batch statistics depend on x).
 */
class BlockGradCheckTest {
    private static final int B = 2;
    /** Random directions per whole-model check (each costs two forward passes; see GradCheck#checkDirections). */
    private static final int DIRECTIONS = 12;

    private static ModelConfig cfg(int res, int c, int ch, int classes) {
        return ModelConfig.of(res, c, ch, classes).withDtype(DType.F64);
    }

    private static NDArray normal(Generator gen, int... dims) {
        return gen.normal(Shape.of(dims), DType.F64, Device.CPU, 0, 1);
    }

    private static NDArray labels(int classes) {
        return classes > 0 ? NDArray.of(new int[]{classes - 1, 0}, Shape.of(B), Device.CPU) : null;
    }

    private static <M extends Module> M eval(M m) {
        m.eval();
        return m;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void conditionalBatchNormInTrainingAndEval(int classes) {
        Generator gen = new Generator(11);
        Layers layers = new Layers(cfg(32, 3, 2, classes), gen);
        NDArray y = labels(classes);
        try (ConditionalBatchNorm bn = new ConditionalBatchNorm(layers, 3)) {
            GradCheck.check("ccbn train", in -> bn.forward(in.get(0), new Cond(in.get(1), y)),
                    normal(gen, B, 3, 3, 2), normal(gen, B, 128));
            bn.eval();
            GradCheck.check("ccbn eval", in -> bn.forward(in.get(0), new Cond(in.get(1), y)),
                    normal(gen, B, 3, 3, 2), normal(gen, B, 128));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void generatorAndDecoderBlocks(int classes) {
        Generator gen = new Generator(12);
        Layers layers = new Layers(cfg(32, 3, 2, classes), gen);
        NDArray y = labels(classes);
        try (GBlock g = eval(GBlock.generator(layers, 4, 3)); GBlock d = eval(GBlock.decoder(layers, 3, 2))) {
            GradCheck.check("gblock", in -> g.forward(in.get(0), new Cond(in.get(1), y)),
                    normal(gen, B, 4, 3, 3), normal(gen, B, 128));
            GradCheck.check("decoder block", in -> d.forward(in.get(0), null), normal(gen, B, 3, 4, 4));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void discriminatorBlocks(boolean preactivation) {
        Generator gen = new Generator(13);
        Layers layers = new Layers(cfg(32, 3, 2, 0), gen);
        try (DBlock down = eval(new DBlock(layers, new DBlock.Spec(3, 4, preactivation, true)));
             DBlock same = eval(new DBlock(layers, new DBlock.Spec(3, 3, true, false)))) {
            GradCheck.check("dblock", in -> down.forward(in.get(0)), normal(gen, B, 3, 6, 4));
            GradCheck.check("dblock, identity shortcut", in -> same.forward(in.get(0)), normal(gen, B, 3, 4, 4));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void selfAttention(int seed) {
        Generator gen = new Generator(14 + seed);
        Layers layers = new Layers(cfg(32, 3, 2, 0), gen);
        try (SelfAttention sa = eval(new SelfAttention(layers, 8))) {
            // gamma starts at 0, which would hide the attention path from the check.
            Ops.copyInto(NDArray.full(Shape.scalar(), DType.F64, Device.CPU, 0.7), sa.namedParameters().get("gamma").value());
            GradCheck.check("attention", in -> sa.forward(in.get(0)), normal(gen, B, 8, 4, 4));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void wholeUNetDiscriminator(int classes) {
        Generator gen = new Generator(15);
        NDArray y = labels(classes);
        try (UNetDiscriminator d = eval(new UNetDiscriminator(cfg(32, 1, 2, classes), gen))) {
            GradCheck.checkDirections("U-Net D", in -> {
                Discriminator.Outputs o = d.forward(in.get(0), y);
                return Tensor.concat(1, o.enc(), o.dec().reshape(B, -1));
            }, DIRECTIONS, 1, normal(gen, B, 1, 32, 32));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void wholeGeneratorAndBaseline(int classes) {
        Generator gen = new Generator(16);
        NDArray y = labels(classes);
        ModelConfig c = cfg(32, 1, 2, classes).withAttention(Set.of(16));
        try (BigGanGenerator g = eval(new BigGanGenerator(c, gen)); BigGanDiscriminator d = eval(new BigGanDiscriminator(c, gen))) {
            GradCheck.checkDirections("G", in -> g.forward(in.get(0), y), DIRECTIONS, 2, normal(gen, B, 128));
            GradCheck.checkDirections("baseline D", in -> d.forward(in.get(0), y).enc(), DIRECTIONS, 3,
                    normal(gen, B, 1, 32, 32));
        }
    }
}
