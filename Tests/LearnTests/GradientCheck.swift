import Learn

/// Compares a layer's analytic gradients with central finite differences computed in Double.
/// The scalar probed is L = Σ output · R for a fixed random R, so dL/dOutput = R feeds backward.
enum GradientCheck {
    static let epsilon: Float = 1e-3

    /// One line per value whose analytic and numeric gradients disagree; empty when all agree.
    static func failures(of layer: some Layer, input: Tensor, seed: UInt64 = 7) -> [String] {
        var random = Random(seed: seed)
        let probe = layer.forward(input, training: true)
        let weights = Tensor(shape: probe.shape, storage: (0..<probe.count).map { _ in 2 * random.uniform() - 1 })
        for parameter in layer.parameters { parameter.zeroGradient() }
        let inputGradient = layer.backward(weights)

        func loss(_ input: Tensor) -> Double {
            let output = layer.forward(input, training: true)
            return zip(output.storage, weights.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }

        var failures = compare("input", analytic: inputGradient.storage, count: input.count) { index in
            numeric(input.storage[index]) { value in
                var perturbed = input
                perturbed.storage[index] = value
                return loss(perturbed)
            }
        }
        for parameter in layer.parameters {
            let analytic = parameter.gradient.storage
            failures += compare(parameter.name, analytic: analytic, count: analytic.count) { index in
                let original = parameter.value.storage[index]
                defer { parameter.value.storage[index] = original }
                return numeric(original) { value in
                    parameter.value.storage[index] = value
                    return loss(input)
                }
            }
        }
        return failures
    }

    /// (f(x + ε) − f(x − ε)) / (x₊ − x₋), dividing by the float32 values actually used, so the
    /// rounding of x ± ε does not count as gradient error.
    static func numeric(_ value: Float, _ f: (Float) -> Double) -> Double {
        let (plus, minus) = (value + epsilon, value - epsilon)
        return (f(plus) - f(minus)) / (Double(plus) - Double(minus))
    }

    static func compare(_ name: String, analytic: [Float], count: Int, numeric: (Int) -> Double) -> [String] {
        guard analytic.count == count else { return ["\(name): \(analytic.count) gradients for \(count) values"] }
        return (0..<count).compactMap { index in
            let (a, n) = (Double(analytic[index]), numeric(index))
            let absolute = abs(a - n)
            let relative = absolute / max(abs(a), abs(n), .leastNormalMagnitude)
            return relative < 1e-2 || absolute < 1e-3 ? nil : "\(name)[\(index)]: analytic \(a), numeric \(n)"
        }
    }
}
