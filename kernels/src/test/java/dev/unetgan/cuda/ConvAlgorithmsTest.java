package dev.unetgan.cuda;

import dev.unetgan.cuda.ConvAlgorithms.Candidate;
import dev.unetgan.cuda.ConvAlgorithms.Choice;
import dev.unetgan.cuda.DeviceRuntime.ConvPass;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** The cuDNN algorithm choice (search once per shape and pass, heuristics as fallback) on made-up cuDNN answers. */
class ConvAlgorithmsTest {
    private static final ConvGeometry G = new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1);
    private static final ConvGeometry OTHER = new ConvGeometry(1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1);
    private static final List<Candidate> HEURISTICS = List.of(
            new Candidate(1, 0, 1000), new Candidate(7, 3, 1L << 40), new Candidate(2, 0, 5000), new Candidate(0, 0, 0));

    /** Records each search's arguments and answers with {@code answer}. */
    private static final class FakeSearch implements ConvAlgorithms.Search {
        final List<long[]> calls = new ArrayList<>();
        final List<Candidate> answer;

        FakeSearch(List<Candidate> answer) {
            this.answer = answer;
        }

        @Override
        public List<Candidate> run(long scratchOutput, long workspace, long workspaceBytes) {
            calls.add(new long[]{scratchOutput, workspace, workspaceBytes});
            return answer;
        }
    }

    @Test
    void searchesOnceInTheBudgetWithAScratchOutputThenKeepsTheFastestUsable() {
        List<ConvPass> heuristicCalls = new ArrayList<>();
        ConvAlgorithms algorithms = new ConvAlgorithms((g, pass) -> {
            heuristicCalls.add(pass);
            return HEURISTICS;
        });
        long scratch = ConvAlgorithms.outputBytes(G, ConvPass.FORWARD);
        assertEquals(4 * 2 * 4 * 8 * 8, scratch, "the forward output, y [2,4,8,8]");
        long budget = algorithms.workspaceBytes(G, ConvPass.FORWARD);
        assertEquals(scratch + 5000, budget, "scratch plus the largest usable heuristic workspace");
        FakeSearch search = new FakeSearch(List.of(new Candidate(6, 0, 9000), new Candidate(5, 2, 10),
                new Candidate(4, 0, 3000), new Candidate(1, 0, 1000)));
        long workspace = 0x10000;
        Choice c = algorithms.choose(G, ConvPass.FORWARD, workspace, search);
        assertEquals(new Choice(4, 3000), c, "skips the failed row and the one beyond the budget");
        assertEquals(List.of(List.of(workspace, workspace + scratch, 5000L)),
                search.calls.stream().map(a -> List.of(a[0], a[1], a[2])).toList());
        assertEquals(3000, algorithms.workspaceBytes(G, ConvPass.FORWARD));
        assertEquals(c, algorithms.choose(G, ConvPass.FORWARD, 0, (o, w, b) -> fail("searched twice")));
        assertEquals(List.of(ConvPass.FORWARD), heuristicCalls, "heuristics asked once per shape and pass");
    }

    @Test
    void fallsBackToTheFirstUsableHeuristicWhenTheSearchOffersNothing() {
        ConvAlgorithms algorithms = new ConvAlgorithms((g, pass) -> HEURISTICS);
        algorithms.workspaceBytes(G, ConvPass.BACKWARD_FILTER);
        Choice c = algorithms.choose(G, ConvPass.BACKWARD_FILTER, 0x1000,
                new FakeSearch(List.of(new Candidate(3, 9, 0))));
        assertEquals(new Choice(1, 1000), c);
    }

    @Test
    void shapesAndPassesAreChosenApartAndTheCapBoundsTheSearch() {
        ConvAlgorithms algorithms = new ConvAlgorithms((g, pass) -> g.equals(OTHER)
                ? List.of(new Candidate(0, 0, 1L << 40)) : HEURISTICS);
        assertEquals(ConvAlgorithms.outputBytes(OTHER, ConvPass.BACKWARD_DATA) + ConvAlgorithms.SEARCH_CAP,
                algorithms.workspaceBytes(OTHER, ConvPass.BACKWARD_DATA));
        algorithms.choose(G, ConvPass.FORWARD, 0, new FakeSearch(List.of(new Candidate(2, 0, 5000))));
        FakeSearch data = new FakeSearch(List.of(new Candidate(0, 0, 0)));
        assertEquals(new Choice(0, 0), algorithms.choose(G, ConvPass.BACKWARD_DATA, 0, data));
        assertEquals(1, data.calls.size(), "another pass of a chosen shape searches for itself");
        CudaException none = assertThrows(CudaException.class, () -> algorithms.choose(OTHER, ConvPass.BACKWARD_DATA, 0,
                new FakeSearch(List.of())));
        assertEquals(true, none.getMessage().contains("BACKWARD_DATA") && none.getMessage().contains("ConvGeometry"),
                none.getMessage());
    }
}
