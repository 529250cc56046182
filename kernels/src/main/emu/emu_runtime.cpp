// emu_runtime.cpp: the scheduler behind cuda_emu.h. Each CUDA thread is a Boost.Context fiber with a small pooled
// stack; one worker runs a whole block, resuming its fibers until every live one waits at a barrier or has returned;
// blocks are spread over a few persistent workers (the calling thread included).
//
// Per block the scheduler repeats: (1) warp by warp, resume every running lane until it blocks; when the blocked
// lanes of a warp wait at warp collectives, complete each call site's group (shuffle, ballot, syncwarp) and resume
// them; (2) when every live lane waits at __syncthreads, check they wait at the same one and release them. Lanes
// that have returned are simply not waited for. Stricter than a GPU: lanes of one warp at different collectives,
// threads at different barriers, and a shuffle that reads a lane that is not taking part are errors.
#include "cuda_emu.h"

#include <boost/context/fiber.hpp>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ctx = boost::context;

namespace emu {
thread_local dim3 tl_threadIdx;
thread_local dim3 tl_blockIdx;
thread_local dim3 tl_blockDim;
thread_local dim3 tl_gridDim;

namespace {

/** A fiber's stack: 256 KiB of address space, touched lazily, with a guard page below. */
constexpr std::size_t kStack = 256 * 1024;

/** Stacks of this worker, reused across blocks: a block of 1024 threads would otherwise mmap 1024 times. */
thread_local std::vector<void*> tl_free_stacks;

struct PooledStack {
    ctx::stack_context allocate() {
        std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        void* base;
        if (!tl_free_stacks.empty()) {
            base = tl_free_stacks.back();
            tl_free_stacks.pop_back();
        } else {
            base = mmap(nullptr, kStack + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1, 0);
            if (base == MAP_FAILED) throw std::bad_alloc();
            mprotect(base, page, PROT_NONE);
        }
        ctx::stack_context sc;
        sc.size = kStack;
        sc.sp = static_cast<char*>(base) + page + kStack;
        return sc;
    }
    void deallocate(ctx::stack_context& sc) noexcept {
        std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        tl_free_stacks.push_back(static_cast<char*>(sc.sp) - kStack - page);
    }
};

enum class At { RUNNING, BARRIER, WARP, DONE };

struct Lane {
    ctx::fiber fiber;  // the lane, while suspended
    ctx::fiber sched;  // the scheduler, while the lane runs
    At at = At::RUNNING;
    const char* file = nullptr;
    int line = 0;
    dim3 tid;
    Collective op = SYNCWARP;
    unsigned mask = 0;
    std::uint64_t value = 0;
    int arg = 0;
    int width = 32;
    std::uint64_t result = 0;
};

/** Unwinds a lane's fiber when a launch is abandoned. */
struct Abort {};

thread_local Lane* tl_lane = nullptr;
thread_local std::vector<unsigned char> tl_dynamic_shared;

std::string where(const Lane& l) {
    return "thread (" + std::to_string(l.tid.x) + "," + std::to_string(l.tid.y) + "," + std::to_string(l.tid.z) + ")" +
           (l.file ? std::string(" at ") + l.file + ":" + std::to_string(l.line) : std::string());
}

void suspend(Lane* l) {
    l->sched = std::move(l->sched).resume();
    if (l->at == At::DONE) throw Abort{};  // the scheduler gave up on this launch
}

/** Runs one block; returns an empty string or the error. */
class BlockRun {
public:
    BlockRun(const char* kernel, Body body, void* c, dim3 block_idx, dim3 block_dim)
        : kernel_(kernel), body_(body), ctx_(c), bidx_(block_idx), bdim_(block_dim) {}

    std::string run() {
        unsigned n = bdim_.x * bdim_.y * bdim_.z;
        lanes_.resize(n);
        for (unsigned i = 0; i < n; i++) {
            Lane& l = lanes_[i];
            l.at = At::RUNNING;
            l.file = nullptr;
            l.line = 0;
            l.tid = dim3(i % bdim_.x, (i / bdim_.x) % bdim_.y, i / (bdim_.x * bdim_.y));
            Lane* lp = &l;
            l.fiber = ctx::fiber(std::allocator_arg, PooledStack(), [this, lp](ctx::fiber&& s) {
                lp->sched = std::move(s);
                try {
                    body_(ctx_);
                } catch (const Abort&) {
                }
                lp->at = At::DONE;
                return std::move(lp->sched);
            });
        }
        std::string err = schedule();
        if (!err.empty()) abandon();
        return err;
    }

private:
    std::string schedule() {
        unsigned n = static_cast<unsigned>(lanes_.size());
        unsigned warps = (n + 31) / 32;
        for (;;) {
            for (unsigned w = 0; w < warps; w++) {
                std::string err = run_warp(w * 32, std::min(n, w * 32 + 32));
                if (!err.empty()) return err;
            }
            Lane* first = nullptr;
            for (Lane& l : lanes_) {
                if (l.at != At::BARRIER) continue;
                if (!first) {
                    first = &l;
                } else if (l.file != first->file || l.line != first->line) {
                    return "divergent __syncthreads in block " + block() + ": " + where(*first) + ", " + where(l);
                }
            }
            if (!first) return {};
            for (Lane& l : lanes_) {
                if (l.at == At::BARRIER) l.at = At::RUNNING;
            }
        }
    }

    /** Runs lanes [lo, hi) until each waits at a barrier or has returned, completing their warp collectives. */
    std::string run_warp(unsigned lo, unsigned hi) {
        for (;;) {
            for (unsigned i = lo; i < hi; i++) {
                Lane& l = lanes_[i];
                if (l.at != At::RUNNING) continue;
                tl_lane = &l;
                tl_threadIdx = l.tid;
                l.fiber = std::move(l.fiber).resume();
            }
            unsigned waiting = 0;  // lanes (bit = lane id) at some collective
            for (unsigned k = 0; k < hi - lo; k++) {
                if (lanes_[lo + k].at == At::WARP) waiting |= 1u << k;
            }
            if (!waiting) return {};
            for (unsigned left = waiting; left;) {
                unsigned group = 0;  // the lanes at the call site of the lowest waiting lane
                const Lane& leader = lanes_[lo + __builtin_ctz(left)];
                for (unsigned k = 0; k < hi - lo; k++) {
                    const Lane& l = lanes_[lo + k];
                    if ((left >> k & 1) && l.file == leader.file && l.line == leader.line) group |= 1u << k;
                }
                std::string err = complete(lo, hi, group);
                if (!err.empty()) return err;
                left &= ~group;
            }
            for (unsigned k = 0; k < hi - lo; k++) {
                if (waiting >> k & 1) lanes_[lo + k].at = At::RUNNING;
            }
        }
    }

    /** Computes the results of the lanes {@code group} (bit = lane id), which wait at one call site. */
    std::string complete(unsigned lo, unsigned hi, unsigned group) {
        unsigned warp_lanes = hi - lo;
        for (unsigned k = 0; k < warp_lanes; k++) {
            if (!(group >> k & 1)) continue;
            Lane& l = lanes_[lo + k];
            for (unsigned j = 0; j < warp_lanes; j++) {
                if (!(l.mask >> j & 1) || (group >> j & 1)) continue;
                Lane& o = lanes_[lo + j];
                if (o.at != At::DONE) {
                    return "divergent warp collective in block " + block() + ": " + where(l) + " names lane " +
                           std::to_string(j) + " in its mask, which waits elsewhere: " + where(o);
                }
            }
        }
        for (unsigned k = 0; k < warp_lanes; k++) {
            if (!(group >> k & 1)) continue;
            Lane& l = lanes_[lo + k];
            if (l.op == SYNCWARP) {
                l.result = 0;
                continue;
            }
            if (l.op == BALLOT) {
                std::uint64_t bits = 0;
                for (unsigned j = 0; j < warp_lanes; j++) {
                    if (((group & l.mask) >> j & 1) && lanes_[lo + j].value) bits |= 1ull << j;
                }
                l.result = bits;
                continue;
            }
            int w = l.width, lane = static_cast<int>(k), src = lane, base = lane / w * w;
            switch (l.op) {
                case SHFL_IDX: src = base + (l.arg % w); break;
                case SHFL_UP: src = lane % w - l.arg >= 0 ? lane - l.arg : lane; break;
                case SHFL_DOWN: src = lane % w + l.arg < w ? lane + l.arg : lane; break;
                case SHFL_XOR: src = (lane ^ l.arg) / w == lane / w ? lane ^ l.arg : lane; break;
                default: break;
            }
            bool exists = src >= 0 && static_cast<unsigned>(src) < warp_lanes;
            if (!exists || !(group >> src & 1) || !(l.mask >> src & 1)) {
                std::string why = !exists                          ? "does not exist (partial warp)"
                                  : !(l.mask >> src & 1)           ? "is not in the mask"
                                  : lanes_[lo + src].at == At::DONE ? "has returned"
                                                                   : "is not at this shuffle";
                return "shuffle from an absent lane in block " + block() + ": " + where(l) + " reads lane " +
                       std::to_string(src) + " of its warp, which " + why;
            }
            l.result = lanes_[lo + src].value;
        }
        return {};
    }

    /** Unwinds every suspended lane so its stack returns to the pool. */
    void abandon() {
        for (Lane& l : lanes_) {
            if (l.at != At::DONE && l.fiber) {
                l.at = At::DONE;
                tl_lane = &l;
                l.fiber = std::move(l.fiber).resume();
            }
        }
    }

    std::string block() const {
        return "(" + std::to_string(bidx_.x) + "," + std::to_string(bidx_.y) + "," + std::to_string(bidx_.z) + ") of " +
               kernel_;
    }

    const char* kernel_;
    Body body_;
    void* ctx_;
    dim3 bidx_, bdim_;
    static thread_local std::vector<Lane> lanes_;
};

thread_local std::vector<Lane> BlockRun::lanes_;

/** One launch, shared by the workers that take its blocks. */
struct Grid {
    const char* kernel;
    dim3 grid, block;
    unsigned shared_bytes;
    Body body;
    void* ctx;
    std::atomic<std::uint64_t> next{0};
    std::uint64_t total;
    std::atomic<bool> failed{false};
    std::mutex mu;
    std::string error;

    /** Claims and runs blocks until none are left. */
    void work() {
        tl_blockDim = block;
        tl_gridDim = grid;
        tl_dynamic_shared.resize(std::max<std::size_t>(shared_bytes, 16) + 16);
        for (std::uint64_t b; !failed.load(std::memory_order_relaxed) && (b = next.fetch_add(1)) < total;) {
            dim3 idx(static_cast<unsigned>(b % grid.x), static_cast<unsigned>(b / grid.x % grid.y),
                     static_cast<unsigned>(b / (static_cast<std::uint64_t>(grid.x) * grid.y)));
            tl_blockIdx = idx;
            std::string err;
            try {
                err = BlockRun(kernel, body, ctx, idx, block).run();
            } catch (const std::exception& e) {
                err = std::string("host exception in ") + kernel + ": " + e.what();
            }
            if (!err.empty()) {
                std::lock_guard<std::mutex> g(mu);
                if (error.empty()) error = err;
                failed = true;
            }
        }
    }
};

/** Persistent workers that help the calling thread with the blocks of a grid. */
class Pool {
public:
    Pool() {
        const char* env = std::getenv("CUDA_EMU_WORKERS");
        unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        unsigned n = env ? static_cast<unsigned>(std::max(1, std::atoi(env))) : std::min(hw, 4u);
        for (unsigned i = 1; i < n; i++) {
            std::thread([this] { loop(); }).detach();
        }
        helpers_ = n - 1;
    }

    void run(Grid& g) {
        if (helpers_ == 0 || g.total == 1) {
            g.work();
            return;
        }
        {
            std::lock_guard<std::mutex> lk(mu_);
            job_ = &g;
            generation_++;
            active_ = helpers_;
        }
        cv_.notify_all();
        g.work();
        std::unique_lock<std::mutex> lk(mu_);
        done_.wait(lk, [this] { return active_ == 0; });
        job_ = nullptr;
    }

private:
    void loop() {
        std::uint64_t seen = 0;
        for (;;) {
            Grid* g;
            {
                std::unique_lock<std::mutex> lk(mu_);
                cv_.wait(lk, [&] { return generation_ != seen; });
                seen = generation_;
                g = job_;
            }
            g->work();
            {
                std::lock_guard<std::mutex> lk(mu_);
                active_--;
            }
            done_.notify_all();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_, done_;
    Grid* job_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned active_ = 0;
    unsigned helpers_ = 0;
};

std::mutex g_error_mu;
std::string g_last_error;

}  // namespace

unsigned char* dynamic_shared() {
    auto addr = reinterpret_cast<std::uintptr_t>(tl_dynamic_shared.data());
    return reinterpret_cast<unsigned char*>((addr + 15) & ~static_cast<std::uintptr_t>(15));
}

void syncthreads_at(const char* file, int line) {
    Lane* l = tl_lane;
    l->at = At::BARRIER;
    l->file = file;
    l->line = line;
    suspend(l);
    tl_threadIdx = l->tid;
}

std::uint64_t warp_collective(Collective op, unsigned mask, std::uint64_t value, int arg, int width, const char* file,
                              int line) {
    Lane* l = tl_lane;
    l->at = At::WARP;
    l->file = file;
    l->line = line;
    l->op = op;
    l->mask = mask;
    l->value = value;
    l->arg = arg;
    l->width = width;
    suspend(l);
    tl_threadIdx = l->tid;
    return l->result;
}

int run_grid(const char* kernel, dim3 grid, dim3 block, unsigned shared_bytes, Body body, void* c) {
    static Pool& pool = *new Pool;  // never destroyed: detached workers wait on it until the process ends
    static std::mutex launch_mu;  // one launch at a time, as on one stream
    std::lock_guard<std::mutex> one(launch_mu);
    Grid g;
    g.kernel = kernel;
    g.grid = grid;
    g.block = block;
    g.shared_bytes = shared_bytes;
    g.body = body;
    g.ctx = c;
    g.total = static_cast<std::uint64_t>(grid.x) * grid.y * grid.z;
    unsigned threads = block.x * block.y * block.z;
    if (threads == 0 || threads > 1024 || g.total == 0) {
        std::lock_guard<std::mutex> e(g_error_mu);
        g_last_error = std::string("invalid launch configuration for ") + kernel + ": " + std::to_string(threads) +
                       " threads per block, " + std::to_string(g.total) + " blocks";
        return 1;
    }
    pool.run(g);
    if (g.failed) {
        std::lock_guard<std::mutex> e(g_error_mu);
        g_last_error = g.error;
        return 1;
    }
    return 0;
}
}  // namespace emu

extern "C" const char* emu_last_error() {
    std::lock_guard<std::mutex> e(emu::g_error_mu);
    return emu::g_last_error.c_str();
}
