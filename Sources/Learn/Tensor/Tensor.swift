/// A dense float32 array with a shape, stored row-major and contiguous: the last dimension varies
/// fastest. Images are NCHW. A value type: copies are cheap until one is mutated (copy on write).
///
/// Its values live on the host (`storage`) or, made by a GPU backend, in a device's memory
/// (`deviceBuffer`, with `storage` empty). Only a backend of that device reads or writes a device
/// tensor's values; code that needs them on the host asks the backend for a copy, which is a transfer.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var storage: [Float]
    /// The values in a device's memory, or nil for a host tensor.
    public private(set) var deviceBuffer: DeviceBuffer?

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor whose values are in `buffer`, on a device.
    public init(shape: [Int], deviceBuffer: DeviceBuffer) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = []
        self.deviceBuffer = deviceBuffer
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose every value `initialize` writes, which spares kernels the zero fill of
    /// outputs they compute whole.
    public init(shape: [Int], initializingWith initialize: (UnsafeMutablePointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, storage: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { initialize(buffer.baseAddress!) }
            initialized = count
        })
    }

    public var count: Int { deviceBuffer == nil ? storage.count : shape.reduce(1, *) }
    /// Where the values are.
    public var device: Device { deviceBuffer?.device ?? .cpu }
    public var rank: Int { shape.count }

    /// Row-major strides in elements: how far to step in `storage` for one step along each dimension.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The same values under another shape with the same number of elements.
    public func reshaped(_ shape: [Int]) -> Tensor {
        guard let deviceBuffer else { return Tensor(shape: shape, storage: storage) }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) to \(shape)")
        return Tensor(shape: shape, deviceBuffer: deviceBuffer)
    }

    /// Whether no other tensor shares this one's device buffer, so a backend may write it in place
    /// without another copy of the value seeing the change (copy on write, as `storage` has it).
    public mutating func hasUniqueDeviceBuffer() -> Bool {
        isKnownUniquelyReferenced(&deviceBuffer)
    }

    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.storage == rhs.storage && lhs.deviceBuffer === rhs.deviceBuffer
    }

    public subscript(_ index: [Int]) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(deviceBuffer == nil, "a \(device) tensor's values are read through its backend")
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var offset = 0
        for (axis, stride) in strides.enumerated() {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) outside \(shape)")
            offset += index[axis] * stride
        }
        return offset
    }
}

/// A tensor's values in a device's memory. The allocation behind it (`owner`, a block of the device's
/// allocator) is released when the last tensor sharing the buffer goes.
public final class DeviceBuffer: Sendable {
    public let device: Device
    /// The device address kernels and copies take.
    public let address: UInt64
    public let owner: AnyObject & Sendable
    /// The backend that made it, which copies values across for code that knows nothing of devices
    /// (checkpoints, exports).
    public let access: any DeviceAccess

    public init(device: Device, address: UInt64, owner: AnyObject & Sendable, access: any DeviceAccess) {
        (self.device, self.address, self.owner, self.access) = (device, address, owner, access)
    }
}

/// Copies between a device's tensors and the host, for code outside the backend.
public protocol DeviceAccess: AnyObject, Sendable {
    /// `count` values of `buffer`, once the work queued before has run.
    func read(_ buffer: DeviceBuffer, count: Int) throws -> [Float]
    /// A tensor on this device holding `values`.
    func upload(_ values: [Float], shape: [Int]) -> Tensor
}

extension Tensor {
    /// The values on the host: `storage` itself, or a copy from the device (a transfer).
    public func hostValues() throws -> [Float] {
        guard let deviceBuffer else { return storage }
        return try deviceBuffer.access.read(deviceBuffer, count: count)
    }

    /// A tensor of this shape, on this tensor's device, holding `values`.
    public func replacingValues(_ values: [Float]) -> Tensor {
        precondition(values.count == count, "\(values.count) values for \(shape)")
        guard let deviceBuffer else { return Tensor(shape: shape, storage: values) }
        return deviceBuffer.access.upload(values, shape: shape)
    }
}
