package dev.unetgan.nn;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every network part, as {@code torch.nn.Module}: it registers, in declaration order, named
 * <em>parameters</em> (trainable {@link Tensor} leaves), <em>buffers</em> (plain {@link NDArray} state such as batch
 * norm's running statistics) and <em>submodules</em>, and from them derives dotted state-dict names
 * ({@code blocks.0.conv1.weight}), parameter lists for optimizers, train/eval mode, and strict checkpoint loading.
 *
 * <h2>Forward</h2>
 * {@code Module} itself declares no {@code forward}, because networks differ in what they take and return: a GAN
 * discriminator takes an image and a label and returns two outputs, an embedding takes I32 indices. A composite
 * module simply declares the method it needs, with ordinary Java types, for example
 * {@code Outputs forward(Tensor x, NDArray labels)} returning a record. The common one-tensor-in, one-tensor-out
 * case is {@link Layer}, whose {@code Tensor forward(Tensor x)} is what {@link Sequential} chains.
 *
 * <h2>Ownership</h2>
 * A module owns the arrays registered with it: {@link #close()} frees every parameter (value and gradient) and
 * buffer, recursively. Build modules outside any {@link Scope} (or keep their arrays out of it), since an array made
 * inside a scope is freed when the scope closes. Registering one {@code Tensor} under two names (weight tying) is
 * allowed: it appears once in {@link #parameters()} and under both names in {@link #stateDict()}.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    // ---- registration (for subclasses' constructors) ----

    /**
     * Registers {@code value} as a trainable parameter named {@code name}; the module takes ownership of it.
     *
     * @return the parameter leaf, to keep in a field
     */
    protected final Tensor registerParameter(String name, NDArray value) {
        checkNewName(name);
        Tensor p = Tensor.parameter(value);
        params.put(name, p);
        return p;
    }

    /** Registers an existing parameter (for sharing one between modules); ownership stays with its first module. */
    protected final Tensor registerParameter(String name, Tensor parameter) {
        checkNewName(name);
        if (!parameter.isParameter()) {
            throw new IllegalArgumentException("registerParameter " + name + ": needs a parameter, got " + parameter);
        }
        params.put(name, parameter);
        return parameter;
    }

    /** Registers {@code value} as a buffer (saved state that is not trained); the module takes ownership of it. */
    protected final NDArray registerBuffer(String name, NDArray value) {
        checkNewName(name);
        value.checkOpen("registerBuffer " + name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a submodule; its names get the prefix {@code name.}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkNewName(name);
        if (module == this) {
            throw new IllegalArgumentException("registerModule " + name + ": a module cannot contain itself");
        }
        children.put(name, module);
        return module;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member name must be non-empty and without '.', got '" + name + "'");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
        }
    }

    // ---- traversal ----

    /** The direct submodules, by name, in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module (name {@code ""}) and every descendant, by dotted name, depth first in registration order. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((name, child) -> child.collectModules(join(prefix, name), out));
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /**
     * Every parameter by dotted name: this module's own first, then each submodule's, in registration order. A
     * shared parameter appears once, under its first name.
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> m.params.forEach((name, p) -> {
            if (seen.add(p)) {
                out.put(join(prefix, name), p);
            }
        }));
        return out;
    }

    /** The parameters, in {@link #namedParameters()} order (the order optimizers see). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer by dotted name. */
    public final Map<String, NDArray> namedBuffers() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedModules().forEach((prefix, m) -> m.buffers.forEach((name, b) -> out.put(join(prefix, name), b)));
        return out;
    }

    /** Number of trainable scalars (shared parameters counted once). */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    /** Forgets the accumulated gradient of every parameter. */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    /**
     * Freezes ({@code false}) or unfreezes every parameter, as torch's {@code Module.requires_grad_}: backward then
     * still flows through this module into its inputs, but computes no gradient for its parameters. Returns this.
     */
    public final Module requiresGrad(boolean on) {
        for (Tensor p : parameters()) {
            p.requiresGrad(on);
        }
        return this;
    }

    // ---- mode ----

    /** Switches this module and all descendants to training mode (batch statistics, etc.); returns this. */
    public final Module train() {
        return train(true);
    }

    /** Switches this module and all descendants to evaluation mode; returns this. */
    public final Module eval() {
        return train(false);
    }

    /** Sets training mode ({@code true}) or evaluation mode recursively; returns this. */
    public final Module train(boolean on) {
        for (Module m : namedModules().values()) {
            m.training = on;
        }
        return this;
    }

    /** Whether this module is in training mode (new modules are). */
    public final boolean isTraining() {
        return training;
    }

    // ---- state ----

    /**
     * The module's state by dotted name, as in PyTorch: for each module depth first, its parameters then its buffers.
     * The values are the module's <em>live arrays</em>, not copies: writing into them (with {@link Ops#copyInto})
     * changes the module, and they stay valid only until the module is closed. Copy them to keep a snapshot.
     */
    public final Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedModules().forEach((prefix, m) -> {
            m.params.forEach((name, p) -> out.put(join(prefix, name), p.value()));
            m.buffers.forEach((name, b) -> out.put(join(prefix, name), b));
        });
        return out;
    }

    /** {@link #loadStateDict(Map, LoadOptions)} with {@link LoadOptions#STRICT}. */
    public final void loadStateDict(Map<String, NDArray> state) {
        loadStateDict(state, LoadOptions.STRICT);
    }

    /**
     * Copies {@code state} into this module's parameters and buffers, strictly and all or nothing. First every key is
     * checked: each of the module's keys must be present (missing), each given key must belong to the module unless
     * {@code options} ignores it (unexpected), and each array must be open with the same shape and dtype. If anything
     * is wrong, a {@link StateDictException} lists every problem by key (with both shapes/dtypes) and the module is
     * left untouched. Only then are the values copied in place; arrays on another device are transferred. The given
     * arrays are not retained.
     */
    public final void loadStateDict(Map<String, NDArray> state, LoadOptions options) {
        StateDicts.copyStrict(getClass().getSimpleName(), stateDict(), state, options);
    }

    /** Frees every parameter (value and gradient) and buffer of this module and its descendants. Idempotent. */
    @Override
    public void close() {
        for (Module m : namedModules().values()) {
            m.params.values().forEach(Tensor::close);
            m.buffers.values().forEach(NDArray::close);
        }
    }

    /** A one-line description of this module's own configuration (e.g. {@code in=3, out=8}), for {@link #toString}. */
    protected String describe() {
        return "";
    }

    /** A PyTorch-style tree of the module and its submodules. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        appendTree(sb, "");
        return sb.toString();
    }

    private void appendTree(StringBuilder sb, String indent) {
        sb.append(getClass().getSimpleName()).append('(').append(describe());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((name, child) -> {
                sb.append(indent).append("  (").append(name).append("): ");
                child.appendTree(sb, indent + "  ");
                sb.append('\n');
            });
            sb.append(indent);
        }
        sb.append(')');
    }
}
