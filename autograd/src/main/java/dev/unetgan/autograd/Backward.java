package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reverse-mode differentiation of a recorded graph (DESIGN.md §3). Without recursion, so a graph as deep as memory
 * allows does not overflow the stack:
 * <ol>
 * <li>a work-list pass from the root counts, for every node, how many edges lead into it from consumers, and
 *     fails before touching anything if some node was freed by an earlier backward;</li>
 * <li>Kahn's algorithm then runs each node's backward once all its consumers have contributed to its gradient,
 *     frees the node's saved arrays, sums gradients arriving at the same node, and adds ({@code +=}) gradients
 *     arriving at leaves into the leaves' own gradient arrays.</li>
 * </ol>
 * Intermediate gradients are closed as soon as they are consumed.
 */
final class Backward {
    private Backward() {
    }

    /** Back-propagates {@code seed} (the shape of {@code root}) through {@code root}'s graph. Does not close {@code seed}. */
    static void run(Tensor root, NDArray seed) {
        Node rootNode = root.node();
        if (rootNode == null) {
            root.accumulateGrad(seed);
            return;
        }
        Map<Node, Integer> pending = countConsumers(rootNode);
        Map<Node, NDArray> grads = new IdentityHashMap<>();
        ArrayDeque<Node> ready = new ArrayDeque<>();
        grads.put(rootNode, seed);
        ready.push(rootNode);
        while (!ready.isEmpty()) {
            Node node = ready.pop();
            // Null when every consumer returned null for this node: its graph is released without running it.
            NDArray gradOut = grads.remove(node);
            NDArray[] inputGrads = null;
            try {
                if (gradOut != null) {
                    inputGrads = node.backward(gradOut);
                }
            } finally {
                node.ctx.release();
                if (gradOut != null && gradOut != seed) {
                    gradOut.close();
                }
            }
            for (int i = 0; i < node.inputs.length; i++) {
                NDArray g = inputGrads == null ? null : inputGrads[i];
                Tensor input = node.inputs[i];
                Node producer = input.node();
                if (producer == null) {
                    if (g != null) {
                        try (g) {
                            input.accumulateGrad(g);
                        }
                    }
                    continue;
                }
                if (g != null) {
                    NDArray sum = grads.get(producer);
                    if (sum == null) {
                        grads.put(producer, g);
                    } else {
                        grads.put(producer, Ops.add(sum, g));
                        sum.close();
                        g.close();
                    }
                }
                if (node.ctx.needsInputGrad(i) && pending.merge(producer, -1, Integer::sum) == 0) {
                    pending.remove(producer);
                    ready.push(producer);
                }
            }
        }
    }

    /** Number of recorded edges into each node reachable from {@code root}; throws if any of them was freed. */
    private static Map<Node, Integer> countConsumers(Node root) {
        Map<Node, Integer> pending = new IdentityHashMap<>();
        ArrayDeque<Node> todo = new ArrayDeque<>();
        pending.put(root, 0);
        todo.push(root);
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (node.isFreed()) {
                throw node.freedError();
            }
            for (int i = 0; i < node.inputs.length; i++) {
                Node producer = node.inputs[i].node();
                if (producer != null && node.ctx.needsInputGrad(i)) {
                    if (pending.merge(producer, 1, Integer::sum) == 1) {
                        todo.push(producer);
                    }
                }
            }
        }
        return pending;
    }
}
