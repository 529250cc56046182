package dev.unetgan.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A list of submodules registered as {@code 0, 1, 2, ...} (so their state is named {@code blocks.0.conv1.weight}),
 * for composite modules that call their parts themselves, with whatever signature those have.
 *
 * @param <M> the element type
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index; returns this. */
    public ModuleList<M> add(M module) {
        modules.add(registerModule(Integer.toString(modules.size()), module));
        return this;
    }

    /** Element {@code i}. */
    public M get(int i) {
        return modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<M> iterator() {
        return Collections.unmodifiableList(modules).iterator();
    }
}
