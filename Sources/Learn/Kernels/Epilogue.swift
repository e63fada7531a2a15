/// What an evaluation-mode convolution does to each output value in the pass that stores it, after its
/// product and bias: add the value at the same place of `residual` (a tensor of the output's shape, as a
/// residual block's skip path), then apply `activation`. With batch norm folded into the weights
/// (`FusedConvolution`), this is everything that follows a convolution in the zoo's blocks, so one pass
/// over the output replaces the four (bias, normalization, sum, activation) a layer-by-layer forward takes.
public struct Epilogue {
    public var residual: Tensor?
    public var activation: Activation?

    public init(residual: Tensor? = nil, activation: Activation? = nil) {
        (self.residual, self.activation) = (residual, activation)
    }

    /// Nothing after the bias: what training's convolutions store.
    public static var none: Epilogue { Epilogue() }

    /// Calls `body` with the residual's values, checked against the output's shape, for as long as it runs.
    func withResidual<Result>(shape: [Int], _ body: (UnsafePointer<Float>?) -> Result) -> Result {
        if let residual { precondition(residual.shape == shape, "a residual of \(residual.shape) for an output of \(shape)") }
        return residual.withValues(body)
    }
}

extension Optional where Wrapped == Tensor {
    /// Calls `body` with the tensor's values, or nil where there is no tensor (a convolution without bias).
    func withValues<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let tensor = self else { return body(nil) }
        return tensor.storage.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Activation {
    /// As `CPUBackend.activation` computes it: NaN stays NaN.
    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .relu: x < 0 ? 0 : x
        case .relu6: min(max(x, 0), 6)
        }
    }
}

extension Optional where Wrapped == Activation {
    /// `Activation.apply` lane by lane: NaN stays NaN.
    @inline(__always)
    func finish(_ row: SIMD16<Float>) -> SIMD16<Float> {
        switch self {
        case nil: row
        case .relu: row.replacing(with: 0, where: row .< 0)
        case .relu6: row.replacing(with: 0, where: row .< 0).replacing(with: 6, where: row .> 6)
        }
    }

    /// The value stored at `offset` of the output: plus the residual there, through the activation.
    @inline(__always)
    func finish(_ x: Float, residual: UnsafePointer<Float>?, at offset: Int) -> Float {
        let sum = residual.map { x + $0[offset] } ?? x
        return self?.apply(sum) ?? sum
    }
}

extension Epilogue {
    /// The first `valid` values of `row` (none when `valid` ≤ 0), plus the residual's values there, through
    /// the activation, at y[offset...]: as one vector when all 16 are, else value by value, since setting a
    /// vector's lanes at a run-time index costs a compare and a masked broadcast each, where reading them
    /// costs a load.
    @inline(__always)
    static func store(_ row: SIMD16<Float>, at offset: Int, valid: Int, _ y: UnsafeMutablePointer<Float>,
                      residual: UnsafePointer<Float>?, activation: Activation?) {
        if valid == row.scalarCount {
            let sum = residual.map { row + UnsafeRawPointer($0 + offset).loadUnaligned(as: SIMD16<Float>.self) } ?? row
            UnsafeMutableRawPointer(y + offset).storeBytes(of: activation.finish(sum), as: SIMD16<Float>.self)
        } else {
            for i in 0..<max(0, valid) { y[offset + i] = activation.finish(row[i], residual: residual, at: offset + i) }
        }
    }
}
