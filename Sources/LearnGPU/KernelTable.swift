import CUDA

/// Every kernel of Resources/cuda/kernels.cu, resolved once from the loaded module. A name missing
/// from the PTX fails the backend's creation, not a training step.
struct KernelTable: Sendable {
    enum Name: String, CaseIterable {
        case add = "quarry_add", scaleBy = "quarry_scale_by"
        case reluForward = "quarry_relu_forward", reluBackward = "quarry_relu_backward"
        case relu6Forward = "quarry_relu6_forward", relu6Backward = "quarry_relu6_backward"
        case dropoutForward = "quarry_dropout_forward", dropoutBackward = "quarry_dropout_backward"
        case biasAddRows = "quarry_bias_add_rows"
        case channelSums = "quarry_channel_sums", columnSums = "quarry_column_sums"
        case sgemmNN = "quarry_sgemm_nn", sgemmNT = "quarry_sgemm_nt", sgemmTN = "quarry_sgemm_tn"
        case sgemmNNTF32 = "quarry_sgemm_nn_tf32", sgemmNTTF32 = "quarry_sgemm_nt_tf32", sgemmTNTF32 = "quarry_sgemm_tn_tf32"
        case im2col = "quarry_im2col", col2im = "quarry_col2im"
        case channelsFirst = "quarry_channels_first", batchFirst = "quarry_batch_first"
        case depthwiseForward = "quarry_depthwise_forward", depthwiseBackwardInput = "quarry_depthwise_backward_input"
        case depthwiseBackwardWeight = "quarry_depthwise_backward_weight"
        case batchNormStatistics = "quarry_batchnorm_statistics"
        case batchNormSums = "quarry_batchnorm_sums"
        case batchNormInverseDeviation = "quarry_batchnorm_inverse_deviation"
        case batchNormNormalize = "quarry_batchnorm_normalize"
        case batchNormBackwardReduce = "quarry_batchnorm_backward_reduce"
        case batchNormBackwardInput = "quarry_batchnorm_backward_input"
        case maxPoolForward = "quarry_maxpool_forward", maxPoolBackward = "quarry_maxpool_backward"
        case averagePoolForward = "quarry_avgpool_forward", averagePoolBackward = "quarry_avgpool_backward"
        case globalAveragePoolForward = "quarry_global_avgpool_forward"
        case globalAveragePoolBackward = "quarry_global_avgpool_backward"
        case upsampleNearestForward = "quarry_upsample_nearest_forward"
        case upsampleNearestBackward = "quarry_upsample_nearest_backward"
        case softmaxCrossEntropy = "quarry_softmax_cross_entropy", lossTotals = "quarry_loss_totals"
        case softmaxPredictions = "quarry_softmax_predictions"
        case sgd = "quarry_sgd", adamW = "quarry_adamw"
        case sumSquares = "quarry_sum_squares", clipCoefficient = "quarry_clip_coefficient"
        case normalizePixels = "quarry_normalize_pixels"
    }

    private let kernels: [Name: CUDAKernel]

    init(module: CUDAModule) throws(GPUError) {
        var kernels: [Name: CUDAKernel] = [:]
        for name in Name.allCases { kernels[name] = try module.kernel(name.rawValue) }
        self.kernels = kernels
    }

    subscript(_ name: Name) -> CUDAKernel {
        kernels[name]!
    }
}

/// Quarry's kernels loaded on one device: the driver compiles the PTX for the card once, and every
/// backend on that device shares the result.
public final class GPUKernels: Sendable {
    public let gpu: CUDADevice
    let table: KernelTable
    /// CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: how many blocks run at once, to size grids by.
    let multiprocessors: Int
    /// cuBLAS where it is installed: the backends' products go to it rather than to our SGEMM.
    let blas: CuBLAS?

    /// Loads `ptx` (Resources/cuda/kernels.ptx) on `gpu` and resolves every kernel.
    public init(gpu: CUDADevice, ptx: String, blas: CuBLAS? = nil) throws(GPUError) {
        self.gpu = gpu
        table = try KernelTable(module: gpu.loadModule(ptx: ptx))
        multiprocessors = max(1, try gpu.attribute(16))
        self.blas = blas
    }
}
