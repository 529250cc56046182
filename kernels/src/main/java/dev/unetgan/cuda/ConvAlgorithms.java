package dev.unetgan.cuda;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The choice of a cuDNN convolution algorithm per (geometry, pass), made once and cached: measured by
 * {@code cudnnFind*AlgorithmEx} on the first call of a shape, with the {@code _v7} heuristics as the fallback when
 * the search offers nothing usable. The search runs inside the caller's workspace, which comes from the caching
 * allocator like every workspace, so the protocol of {@link DeviceRuntime#convolutionWorkspaceBytes} is:
 * <ol>
 *   <li>before the first call of a shape, {@link #workspaceBytes} is the search budget: a scratch output (the search
 *       writes its trial results there, never into the caller's output, which {@code beta} may accumulate into)
 *       plus the largest workspace the heuristics' candidates ask for, capped at {@link #SEARCH_CAP};</li>
 *   <li>{@link #choose} with that workspace searches, keeps the choice, and the call then runs the chosen
 *       algorithm in the same workspace;</li>
 *   <li>afterwards {@link #workspaceBytes} is the chosen algorithm's own need.</li>
 * </ol>
 * cuDNN types stay in {@link CudnnConvolution}; this class sees candidates only, so it is tested on the host.
 */
final class ConvAlgorithms {
    /** The most workspace a search may use (some algorithms ask for gigabytes; they are not worth it here). */
    static final long SEARCH_CAP = 256L << 20;
    private static final long ALIGN = 256;

    /** One row of cuDNN's answer: the algorithm, its status (0 = usable) and the workspace it needs. */
    record Candidate(int algo, int status, long memory) {
    }

    /** The kept choice: the algorithm and its workspace bytes. */
    record Choice(int algo, long workspaceBytes) {
    }

    /** The heuristics ({@code cudnnGet*Algorithm_v7}) for a shape and pass, best first. */
    interface Heuristics {
        List<Candidate> of(ConvGeometry g, DeviceRuntime.ConvPass pass);
    }

    /** The measured search ({@code cudnnFind*AlgorithmEx}), fastest first, writing only into the given memory. */
    interface Search {
        List<Candidate> run(long scratchOutput, long workspace, long workspaceBytes);
    }

    private record Key(ConvGeometry g, DeviceRuntime.ConvPass pass) {
    }

    private final Heuristics heuristics;
    private final Map<Key, List<Candidate>> pending = new HashMap<>();
    private final Map<Key, Choice> chosen = new HashMap<>();

    ConvAlgorithms(Heuristics heuristics) {
        this.heuristics = heuristics;
    }

    /** The bytes of the output a pass writes: where a search puts its trial results. */
    static long outputBytes(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        long elements = switch (pass) {
            case FORWARD -> (long) g.n() * g.k() * g.p() * g.q();
            case BACKWARD_DATA -> (long) g.n() * g.c() * g.h() * g.w();
            case BACKWARD_FILTER -> (long) g.k() * g.c() * g.r() * g.s();
        };
        return (4 * elements + ALIGN - 1) / ALIGN * ALIGN;
    }

    private List<Candidate> heuristics(Key key) {
        return pending.computeIfAbsent(key, k -> heuristics.of(k.g(), k.pass()));
    }

    /** The workspace the next call of {@code pass} on {@code g} needs (see the protocol above). */
    synchronized long workspaceBytes(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        Key key = new Key(g, pass);
        Choice c = chosen.get(key);
        if (c != null) {
            return c.workspaceBytes();
        }
        long largest = 0;
        for (Candidate h : heuristics(key)) {
            if (h.status() == 0) {
                largest = Math.max(largest, Math.min(SEARCH_CAP, h.memory()));
            }
        }
        return outputBytes(g, pass) + largest;
    }

    /**
     * The algorithm for {@code pass} on {@code g}: the kept one, or, on the first call, the fastest usable result of
     * {@code search} run in {@code workspace} (which has {@link #workspaceBytes} bytes), else the first usable
     * heuristic that fits.
     */
    synchronized Choice choose(ConvGeometry g, DeviceRuntime.ConvPass pass, long workspace, Search search) {
        Key key = new Key(g, pass);
        Choice c = chosen.get(key);
        if (c != null) {
            return c;
        }
        long scratch = outputBytes(g, pass);
        long budget = workspaceBytes(g, pass) - scratch;
        c = firstUsable(search.run(workspace, workspace + scratch, budget), budget);
        if (c == null) {
            c = firstUsable(heuristics(key), budget);
        }
        if (c == null) {
            throw new CudaException("cuDNN offers no " + pass + " algorithm within " + budget + " bytes of workspace for "
                    + g + ": heuristics " + heuristics(key));
        }
        chosen.put(key, c);
        pending.remove(key);
        return c;
    }

    private static Choice firstUsable(List<Candidate> candidates, long budget) {
        for (Candidate c : candidates) {
            if (c.status() == 0 && c.memory() <= budget) {
                return new Choice(c.algo(), c.memory());
            }
        }
        return null;
    }
}
