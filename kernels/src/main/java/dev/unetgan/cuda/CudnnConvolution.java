package dev.unetgan.cuda;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The convolution tier with cuDNN's legacy API (JCudnn 11.7.0 classes over the 12.6.0 natives, which link cuDNN 9).
 * Per geometry the descriptors are made once; per geometry and pass the algorithm is chosen once by
 * {@link ConvAlgorithms}: {@code cudnnFind*AlgorithmEx} in a workspace from the caller's caching allocator, with
 * the {@code _v7} heuristics as the fallback. alpha and beta are host pointers, as cuDNN requires. The status codes of
 * cuDNN 9 were renumbered, so any non-zero status is a failure and is reported by {@code cudnnGetErrorString}.
 */
final class CudnnConvolution implements ConvolutionTier {
    /** How many candidates to ask cuDNN for (it has 8 forward, 6 data and 7 filter algorithms). */
    private static final int CANDIDATES = 8;

    private final cudnnHandle handle = new cudnnHandle();
    private final Map<ConvGeometry, Plan> plans = new HashMap<>();
    private final ConvAlgorithms algorithms = new ConvAlgorithms(this::heuristics);
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];

    /** One geometry's descriptors. */
    private record Plan(cudnnTensorDescriptor x, cudnnFilterDescriptor w, cudnnTensorDescriptor y,
                        cudnnConvolutionDescriptor conv) {
    }

    CudnnConvolution(CUstream stream) {
        check(JCudnn.cudnnCreate(handle), "cudnnCreate");
        check(JCudnn.cudnnSetStream(handle, new cudaStream_t(stream)), "cudnnSetStream");
    }

    static void check(int status, String call) {
        if (status != 0) {
            throw new CudaException(call + ": " + JCudnn.cudnnGetErrorString(status) + " (status " + status + ")");
        }
    }

    private synchronized Plan plan(ConvGeometry g) {
        Plan p = plans.get(g);
        if (p != null) {
            return p;
        }
        int nchw = cudnnTensorFormat.CUDNN_TENSOR_NCHW, f32 = cudnnDataType.CUDNN_DATA_FLOAT;
        cudnnTensorDescriptor x = new cudnnTensorDescriptor(), y = new cudnnTensorDescriptor();
        cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        check(JCudnn.cudnnCreateTensorDescriptor(x), "cudnnCreateTensorDescriptor");
        check(JCudnn.cudnnCreateTensorDescriptor(y), "cudnnCreateTensorDescriptor");
        check(JCudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
        check(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
        check(JCudnn.cudnnSetTensor4dDescriptor(x, nchw, f32, g.n(), g.c(), g.h(), g.w()), "cudnnSetTensor4dDescriptor(x)");
        check(JCudnn.cudnnSetTensor4dDescriptor(y, nchw, f32, g.n(), g.k(), g.p(), g.q()), "cudnnSetTensor4dDescriptor(y)");
        check(JCudnn.cudnnSetFilter4dDescriptor(w, f32, nchw, g.k(), g.c(), g.r(), g.s()), "cudnnSetFilter4dDescriptor");
        check(JCudnn.cudnnSetConvolution2dDescriptor(conv, g.padH(), g.padW(), g.strideH(), g.strideW(), g.dilationH(),
                g.dilationW(), cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, f32), "cudnnSetConvolution2dDescriptor");
        check(JCudnn.cudnnSetConvolutionMathType(conv, cudnnMathType.CUDNN_DEFAULT_MATH), "cudnnSetConvolutionMathType");
        p = new Plan(x, w, y, conv);
        plans.put(g, p);
        return p;
    }

    private List<ConvAlgorithms.Candidate> heuristics(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        Plan p = plan(g);
        int[] count = new int[1];
        return switch (pass) {
            case FORWARD -> {
                cudnnConvolutionFwdAlgoPerf[] r = perf(cudnnConvolutionFwdAlgoPerf[]::new, cudnnConvolutionFwdAlgoPerf::new);
                check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, p.x(), p.w(), p.conv(), p.y(), r.length,
                        count, r), "cudnnGetConvolutionForwardAlgorithm_v7");
                yield candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
            }
            case BACKWARD_DATA -> {
                cudnnConvolutionBwdDataAlgoPerf[] r = perf(cudnnConvolutionBwdDataAlgoPerf[]::new, cudnnConvolutionBwdDataAlgoPerf::new);
                check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, p.w(), p.y(), p.conv(), p.x(),
                        r.length, count, r), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
                yield candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
            }
            case BACKWARD_FILTER -> {
                cudnnConvolutionBwdFilterAlgoPerf[] r = perf(cudnnConvolutionBwdFilterAlgoPerf[]::new, cudnnConvolutionBwdFilterAlgoPerf::new);
                check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, p.x(), p.y(), p.conv(), p.w(),
                        r.length, count, r), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
                yield candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
            }
        };
    }

    /** {@value #CANDIDATES} fresh result rows for cuDNN to fill. */
    private static <T> T[] perf(IntFunction<T[]> array, java.util.function.Supplier<T> row) {
        T[] rows = array.apply(CANDIDATES);
        Arrays.setAll(rows, i -> row.get());
        return rows;
    }

    private static List<ConvAlgorithms.Candidate> candidates(int count, IntFunction<ConvAlgorithms.Candidate> row) {
        List<ConvAlgorithms.Candidate> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(row.apply(i));
        }
        return list;
    }

    @Override
    public long workspaceBytes(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        return algorithms.workspaceBytes(g, pass);
    }

    @Override
    public synchronized void forward(ConvGeometry g, float a, long x, long w, float b, long y, long workspace) {
        Plan p = plan(g);
        ConvAlgorithms.Choice c = algorithms.choose(g, DeviceRuntime.ConvPass.FORWARD, workspace, (out, ws, bytes) -> {
            cudnnConvolutionFwdAlgoPerf[] r = perf(cudnnConvolutionFwdAlgoPerf[]::new, cudnnConvolutionFwdAlgoPerf::new);
            int[] count = new int[1];
            check(JCudnn.cudnnFindConvolutionForwardAlgorithmEx(handle, p.x(), JCudaAddress.at(x), p.w(),
                    JCudaAddress.at(w), p.conv(), p.y(), JCudaAddress.at(out), r.length, count, r,
                    JCudaAddress.at(ws), bytes), "cudnnFindConvolutionForwardAlgorithmEx");
            return candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
        });
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionForward(handle, Pointer.to(alpha), p.x(), JCudaAddress.at(x), p.w(),
                JCudaAddress.at(w), p.conv(), c.algo(), JCudaAddress.at(workspace), c.workspaceBytes(),
                Pointer.to(beta), p.y(), JCudaAddress.at(y)), "cudnnConvolutionForward");
    }

    @Override
    public synchronized void backwardData(ConvGeometry g, float a, long w, long dy, float b, long dx, long workspace) {
        Plan p = plan(g);
        ConvAlgorithms.Choice c = algorithms.choose(g, DeviceRuntime.ConvPass.BACKWARD_DATA, workspace, (out, ws, bytes) -> {
            cudnnConvolutionBwdDataAlgoPerf[] r = perf(cudnnConvolutionBwdDataAlgoPerf[]::new, cudnnConvolutionBwdDataAlgoPerf::new);
            int[] count = new int[1];
            check(JCudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(handle, p.w(), JCudaAddress.at(w), p.y(),
                    JCudaAddress.at(dy), p.conv(), p.x(), JCudaAddress.at(out), r.length, count, r,
                    JCudaAddress.at(ws), bytes), "cudnnFindConvolutionBackwardDataAlgorithmEx");
            return candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
        });
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionBackwardData(handle, Pointer.to(alpha), p.w(), JCudaAddress.at(w), p.y(),
                JCudaAddress.at(dy), p.conv(), c.algo(), JCudaAddress.at(workspace), c.workspaceBytes(),
                Pointer.to(beta), p.x(), JCudaAddress.at(dx)), "cudnnConvolutionBackwardData");
    }

    @Override
    public synchronized void backwardFilter(ConvGeometry g, float a, long x, long dy, float b, long dw, long workspace) {
        Plan p = plan(g);
        ConvAlgorithms.Choice c = algorithms.choose(g, DeviceRuntime.ConvPass.BACKWARD_FILTER, workspace, (out, ws, bytes) -> {
            cudnnConvolutionBwdFilterAlgoPerf[] r = perf(cudnnConvolutionBwdFilterAlgoPerf[]::new, cudnnConvolutionBwdFilterAlgoPerf::new);
            int[] count = new int[1];
            check(JCudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, p.x(), JCudaAddress.at(x), p.y(),
                    JCudaAddress.at(dy), p.conv(), p.w(), JCudaAddress.at(out), r.length, count, r,
                    JCudaAddress.at(ws), bytes), "cudnnFindConvolutionBackwardFilterAlgorithmEx");
            return candidates(count[0], i -> new ConvAlgorithms.Candidate(r[i].algo, r[i].status, r[i].memory));
        });
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionBackwardFilter(handle, Pointer.to(alpha), p.x(), JCudaAddress.at(x), p.y(),
                JCudaAddress.at(dy), p.conv(), c.algo(), JCudaAddress.at(workspace), c.workspaceBytes(),
                Pointer.to(beta), p.w(), JCudaAddress.at(dw)), "cudnnConvolutionBackwardFilter");
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            JCudnn.cudnnDestroyTensorDescriptor(p.x());
            JCudnn.cudnnDestroyTensorDescriptor(p.y());
            JCudnn.cudnnDestroyFilterDescriptor(p.w());
            JCudnn.cudnnDestroyConvolutionDescriptor(p.conv());
        }
        plans.clear();
        JCudnn.cudnnDestroy(handle);
    }
}
