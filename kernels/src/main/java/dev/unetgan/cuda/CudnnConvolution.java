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

import java.util.HashMap;
import java.util.Map;

/**
 * The convolution tier with cuDNN's legacy API (JCudnn 11.7.0 classes over the 12.6.0 natives, which link cuDNN 9).
 * Per geometry, the descriptors and the three algorithms (cuDNN's {@code _v7} heuristics: the first that reports
 * success) are made once and cached. alpha and beta are host pointers, as cuDNN requires. The status codes of cuDNN
 * 9 were renumbered, so any non-zero status is a failure and is reported by {@code cudnnGetErrorString}.
 */
final class CudnnConvolution implements ConvolutionTier {
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<ConvGeometry, Plan> plans = new HashMap<>();
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];

    /** One geometry's descriptors, algorithms and workspace sizes. */
    private record Plan(cudnnTensorDescriptor x, cudnnFilterDescriptor w, cudnnTensorDescriptor y,
                        cudnnConvolutionDescriptor conv, int forwardAlgo, long forwardBytes, int dataAlgo,
                        long dataBytes, int filterAlgo, long filterBytes) {
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
        int[] count = new int[1];
        long[] bytes = new long[1];

        cudnnConvolutionFwdAlgoPerf[] fwd = new cudnnConvolutionFwdAlgoPerf[8];
        check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, x, w, conv, y, fwd.length, count, fwd),
                "cudnnGetConvolutionForwardAlgorithm_v7");
        int forwardAlgo = firstOk(count[0], i -> fwd[i].status, i -> fwd[i].algo, "forward", g);
        check(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, w, conv, y, forwardAlgo, bytes),
                "cudnnGetConvolutionForwardWorkspaceSize");
        long forwardBytes = bytes[0];

        cudnnConvolutionBwdDataAlgoPerf[] data = new cudnnConvolutionBwdDataAlgoPerf[8];
        check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, w, y, conv, x, data.length, count, data),
                "cudnnGetConvolutionBackwardDataAlgorithm_v7");
        int dataAlgo = firstOk(count[0], i -> data[i].status, i -> data[i].algo, "backward data", g);
        check(JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, w, y, conv, x, dataAlgo, bytes),
                "cudnnGetConvolutionBackwardDataWorkspaceSize");
        long dataBytes = bytes[0];

        cudnnConvolutionBwdFilterAlgoPerf[] filter = new cudnnConvolutionBwdFilterAlgoPerf[8];
        check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, x, y, conv, w, filter.length, count, filter),
                "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
        int filterAlgo = firstOk(count[0], i -> filter[i].status, i -> filter[i].algo, "backward filter", g);
        check(JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, conv, w, filterAlgo, bytes),
                "cudnnGetConvolutionBackwardFilterWorkspaceSize");
        p = new Plan(x, w, y, conv, forwardAlgo, forwardBytes, dataAlgo, dataBytes, filterAlgo, bytes[0]);
        plans.put(g, p);
        return p;
    }

    private static int firstOk(int count, java.util.function.IntUnaryOperator status,
                               java.util.function.IntUnaryOperator algo, String pass, ConvGeometry g) {
        for (int i = 0; i < count; i++) {
            if (status.applyAsInt(i) == 0) {
                return algo.applyAsInt(i);
            }
        }
        throw new CudaException("cuDNN offers no " + pass + " algorithm for " + g);
    }

    @Override
    public long workspaceBytes(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        Plan p = plan(g);
        return switch (pass) {
            case FORWARD -> p.forwardBytes();
            case BACKWARD_DATA -> p.dataBytes();
            case BACKWARD_FILTER -> p.filterBytes();
        };
    }

    @Override
    public synchronized void forward(ConvGeometry g, float a, long x, long w, float b, long y, long workspace) {
        Plan p = plan(g);
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionForward(handle, Pointer.to(alpha), p.x(), JCudaAddress.at(x), p.w(),
                JCudaAddress.at(w), p.conv(), p.forwardAlgo(), JCudaAddress.at(workspace), p.forwardBytes(),
                Pointer.to(beta), p.y(), JCudaAddress.at(y)), "cudnnConvolutionForward");
    }

    @Override
    public synchronized void backwardData(ConvGeometry g, float a, long w, long dy, float b, long dx, long workspace) {
        Plan p = plan(g);
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionBackwardData(handle, Pointer.to(alpha), p.w(), JCudaAddress.at(w), p.y(),
                JCudaAddress.at(dy), p.conv(), p.dataAlgo(), JCudaAddress.at(workspace), p.dataBytes(),
                Pointer.to(beta), p.x(), JCudaAddress.at(dx)), "cudnnConvolutionBackwardData");
    }

    @Override
    public synchronized void backwardFilter(ConvGeometry g, float a, long x, long dy, float b, long dw, long workspace) {
        Plan p = plan(g);
        alpha[0] = a;
        beta[0] = b;
        check(JCudnn.cudnnConvolutionBackwardFilter(handle, Pointer.to(alpha), p.x(), JCudaAddress.at(x), p.y(),
                JCudaAddress.at(dy), p.conv(), p.filterAlgo(), JCudaAddress.at(workspace), p.filterBytes(),
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
