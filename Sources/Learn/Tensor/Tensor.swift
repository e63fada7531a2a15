/// A dense float32 array with a shape, stored row-major and contiguous: the last dimension varies
/// fastest. Images are NCHW. A value type: copies are cheap until one is mutated (copy on write).
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
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

    public var count: Int { storage.count }
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
        Tensor(shape: shape, storage: storage)
    }

    public subscript(_ index: [Int]) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var offset = 0
        for (axis, stride) in strides.enumerated() {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) outside \(shape)")
            offset += index[axis] * stride
        }
        return offset
    }
}
