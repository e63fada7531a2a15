import Learn
import Testing

/// Gradient checks for the kernels: central differences of a scalar loss, taken in Double, compared
/// with the analytic gradient a backward pass returned.
enum FiniteDifferences {
    static let step = 1e-3

    /// dL/dvalues by central differences: each value is moved by ±step in turn and the loss re-run.
    static func gradient(of values: [Double], loss: ([Double]) -> Double) -> [Double] {
        var probe = values
        return values.indices.map { index in
            probe[index] = values[index] + step
            let up = loss(probe)
            probe[index] = values[index] - step
            let down = loss(probe)
            probe[index] = values[index]
            return (up - down) / (2 * step)
        }
    }

    /// The same for a Float tensor fed through a Float kernel; the loss is still summed in Double.
    static func gradient(of tensor: Tensor, loss: (Tensor) -> Double) -> [Double] {
        gradient(of: tensor.storage.map(Double.init)) { values in
            loss(Tensor(shape: tensor.shape, storage: values.map(Float.init)))
        }
    }

    /// The loss Σ output·weights: its gradient with respect to the output is `weights` itself.
    static func weightedSum(_ output: [Double], _ weights: [Float]) -> Double {
        zip(output, weights).reduce(0) { $0 + $1.0 * Double($1.1) }
    }

    static func weightedSum(_ output: Tensor, _ weights: [Float]) -> Double {
        weightedSum(output.storage.map(Double.init), weights)
    }

    /// Each entry must agree to 1% relative or 1e-3 absolute.
    static func expectMatches(
        _ analytic: Tensor, _ numeric: [Double], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(analytic.count == numeric.count, "\(label): count", sourceLocation: sourceLocation)
        let mismatches = zip(analytic.storage, numeric).enumerated().filter { _, pair in
            let (a, n) = (Double(pair.0), pair.1)
            let error = abs(a - n)
            return error >= 1e-3 && error / max(abs(a), abs(n)) >= 1e-2
        }
        #expect(mismatches.isEmpty, "\(label): \(mismatches.prefix(5).map { "[\($0.offset)] \($0.element)" })",
                sourceLocation: sourceLocation)
    }
}

extension Tensor {
    /// Values from a standard normal, reproducible by seed.
    static func normal(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = Random(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in random.normal() })
    }
}
