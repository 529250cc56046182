package dev.unetgan.tensor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Try-with-resources ownership of arrays (DESIGN.md §2). Every {@link NDArray} created on this thread while the
 * scope is the innermost open one belongs to it, and is closed when the scope closes, except those passed to
 * {@link #keep}, which go to the enclosing scope (or to the caller when there is none). A training step runs inside
 * one scope, so nothing leaks across iterations.
 *
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *     NDArray tmp = Ops.mul(a, b);
 *     result = scope.keep(Ops.sum(tmp, 0));
 * } // tmp is closed here; result is not
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<NDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {
    }

    /** Opens a scope on this thread; it becomes the innermost one until closed. */
    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** Takes {@code array} out of this scope and hands it to the enclosing scope, or to the caller if there is none. */
    public <T extends AutoCloseable> T keep(T array) {
        if (array instanceof NDArray a && owned.remove(a)) {
            Scope parent = parentOf(this);
            if (parent != null) {
                parent.owned.add(a);
            }
        }
        return array;
    }

    /** Number of open arrays this scope owns. */
    public int ownedCount() {
        return owned.size();
    }

    static void adopt(NDArray a) {
        Scope s = STACK.get().peek();
        if (s != null) {
            s.owned.add(a);
        }
    }

    static void forget(NDArray a) {
        for (Scope s : STACK.get()) {
            if (s.owned.remove(a)) {
                return;
            }
        }
    }

    private static Scope parentOf(Scope s) {
        boolean found = false;
        for (Scope t : STACK.get()) {
            if (found) {
                return t;
            }
            found = t == s;
        }
        return null;
    }

    /** Closes every array this scope still owns. Scopes must close innermost first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Scope must be closed on the thread that opened it");
        }
        ArrayDeque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("scopes must be closed innermost first");
        }
        stack.pop();
        closed = true;
        for (NDArray a : owned.toArray(new NDArray[0])) {
            a.close();
        }
        owned.clear();
    }
}
