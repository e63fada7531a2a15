import CUDA
import Learn
import Synchronization

/// Learn's arithmetic on one CUDA device: every tensor a model computes stays in the device's memory,
/// and each `Backend` operation queues kernels on the device's compute stream and returns at once.
///
/// Failures follow CUDA's own model. Kernels run after the host has moved on, so a launch error, a
/// lost device or memory running out is recorded as the backend's failure; later operations queue
/// nothing and hand back placeholder tensors of the right shape, and `synchronize()`, which a training
/// step calls where it reads its loss, throws it. Layers stay non-throwing, and a failed step costs no
/// more than the host-side walk through the model.
public final class GPUBackend: Backend, DeviceAccess {
    public let device: Device
    public let gpu: CUDADevice
    let stream: CUDAStream
    let kernels: KernelTable
    /// Blocks a grid-stride kernel is launched with at most: enough to fill every multiprocessor.
    let maximumBlocks: Int
    /// cuBLAS on this backend's stream, when the kernels were loaded with it.
    let blas: CuBLASHandle?
    /// Whether products run in TensorFloat-32 on the tensor cores: cuBLAS's math mode where it is
    /// installed, else our SGEMM kernels' mma.sync path.
    public let tf32: Bool
    let uploads: BatchUploads
    private let failure = Mutex<GPUError?>(nil)

    /// A backend with a stream of its own on `kernels`' device: one per run, evaluation or export, so
    /// that each waits only for its own work. `tf32` lets the products (cuBLAS's or ours) round their
    /// operands to TensorFloat-32 and run on the tensor cores, summing in float.
    public init(kernels: GPUKernels, tf32: Bool = false) throws(GPUError) {
        gpu = kernels.gpu
        device = .gpu(gpu.index)
        stream = try gpu.makeStream()
        self.kernels = kernels.table
        maximumBlocks = kernels.multiprocessors * Self.blocksPerMultiprocessor
        blas = try kernels.blas?.handle(on: stream)
        try blas?.allowTF32(tf32)
        self.tf32 = tf32
        uploads = try BatchUploads(gpu: gpu)
    }

    /// The first failure since this backend was made, if any.
    public var recordedFailure: GPUError? { failure.withLock { $0 } }

    /// Waits for the queued work; throws the first failure, queued or recorded.
    public func synchronize() throws(GPUError) {
        if let failure = recordedFailure { throw failure }
        do {
            try stream.synchronize()
        } catch {
            record(error)
            throw error
        }
    }

    /// Runs `body` unless the backend has failed, recording what it throws.
    func attempt(_ body: () throws(GPUError) -> Void) {
        guard recordedFailure == nil else { return }
        do {
            try body()
        } catch {
            record(error)
        }
    }

    func record(_ error: GPUError) {
        failure.withLock { failure in if failure == nil { failure = error } }
    }

    // MARK: Tensors

    /// An uninitialized device tensor; after a failure, a placeholder with no memory behind it. The
    /// kernels index with 32-bit ints, so a tensor of more values fails the backend (every size a kernel
    /// takes is at most some tensor's count).
    func empty(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        if count > Int(Int32.max) {
            record(.unavailable("a tensor of \(shape) (\(count) values) is past the GPU kernels' 2^31 - 1 values; "
                                + "a smaller batch_size or image_size fits"))
        }
        return Tensor(shape: shape, deviceBuffer: buffer(bytes: count * MemoryLayout<Float>.stride))
    }

    func buffer(bytes: Int) -> DeviceBuffer {
        var buffer = DeviceBuffer(device: device, address: 0, owner: Placeholder.shared, access: self)
        attempt { () throws(GPUError) in
            let memory = try gpu.allocator.allocate(bytes: max(bytes, 4))
            buffer = DeviceBuffer(device: device, address: memory.address, owner: memory, access: self)
        }
        return buffer
    }

    /// A device tensor of zeros.
    public func zeros(_ shape: [Int]) -> Tensor {
        let tensor = empty(shape)
        fill(tensor, with: 0)
        return tensor
    }

    /// `tensor`'s values copied to this device (a host-to-device transfer, through pinned staging, that
    /// overlaps the work queued before it); a tensor already here is returned as it is.
    public func upload(_ tensor: Tensor) -> Tensor {
        if tensor.device == device { return tensor }
        precondition(tensor.deviceBuffer == nil, "a \(tensor.device) tensor cannot be uploaded to \(device)")
        let uploaded = empty(tensor.shape)
        attempt { () throws(GPUError) in try uploads.upload(tensor, to: uploaded.address, compute: stream) }
        return uploaded
    }

    /// `tensor`'s values on the host, waiting for the work that computes them (a device-to-host transfer).
    public func download(_ tensor: Tensor) throws(GPUError) -> Tensor {
        guard tensor.deviceBuffer != nil else { return tensor }
        precondition(tensor.device == device, "a \(tensor.device) tensor read through the \(device) backend")
        return Tensor(shape: tensor.shape, storage: try download(tensor.address, count: tensor.count, as: Float.self))
    }

    public func read(_ buffer: DeviceBuffer, count: Int) throws -> [Float] {
        try download(buffer.address, count: count, as: Float.self)
    }

    public func upload(_ values: [Float], shape: [Int]) -> Tensor {
        upload(Tensor(shape: shape, storage: values))
    }

    /// `count` values of `T` at `address`, after the queued work has run.
    func download<T: BitwiseCopyable>(_ address: UInt64, count: Int, as type: T.Type) throws(GPUError) -> [T] {
        if let failure = recordedFailure { throw failure }
        var failed: GPUError?
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(GPUError) {
                if count > 0 {
                    try stream.copy(from: address, to: UnsafeMutableRawPointer(buffer.baseAddress!),
                                    bytes: count * MemoryLayout<T>.stride)
                }
                try stream.synchronize()
            } catch {
                failed = error
                // The copy may not have run: zero the values rather than hand back garbage.
                if count > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride) }
            }
            initialized = count
        }
        if let failed {
            record(failed)
            throw failed
        }
        return values
    }

    /// Sets every value of a device tensor.
    func fill(_ tensor: Tensor, with value: Float) {
        attempt { () throws(GPUError) in
            guard tensor.count > 0 else { return }
            try stream.fill(tensor.address, words: tensor.count, with: value.bitPattern)
        }
    }
}

/// Stands behind the placeholder tensors a failed backend hands out; nothing is allocated.
final class Placeholder: Sendable {
    static let shared = Placeholder()
}

extension Tensor {
    /// The device address of a device tensor's values.
    var address: UInt64 {
        guard let deviceBuffer else { preconditionFailure("a host tensor has no device address") }
        return deviceBuffer.address
    }
}

extension GPUBackend {
    /// The model stays on the device for the whole run, read back only for checkpoints and exports.
    public func place(_ model: any Layer) {
        for parameter in model.parameters {
            parameter.value = upload(parameter.value)
            parameter.gradient = zeros(parameter.value.shape)
        }
        for case let norm as BatchNorm2DLayer in ParameterNaming.statefulLayers(model) {
            norm.runningMean = upload(norm.runningMean)
            norm.runningVariance = upload(norm.runningVariance)
        }
    }
}
