import Learn

/// Compares a layer's analytic gradients with central finite differences computed in Double.
/// The scalar probed is L = Σ output · R for a fixed random R, so dL/dOutput = R feeds backward.
enum GradientCheck {
    static let epsilon: Float = 1e-3

    /// One line per value whose analytic and numeric gradients disagree; empty when all agree.
    static func failures(of layer: some Layer, input: Tensor, seed: UInt64 = 7) -> [String] {
        let (inputGradient, loss) = probe(layer, input: input, seed: seed)
        var failures = compare("input", analytic: inputGradient.storage, count: input.count) { index in
            numeric(input, index, loss)
        }
        for parameter in layer.parameters {
            let analytic = parameter.gradient.storage
            failures += compare(parameter.name, analytic: analytic, count: analytic.count) { index in
                numeric(parameter, index) { loss(input) }
            }
        }
        return failures
    }

    /// The same check on `coordinates` values drawn at random, for models too large to probe every
    /// value: a fifth from the input, the rest from parameters picked uniformly by tensor, so small
    /// tensors (batch-norm scales, shortcut convolutions) are visited as often as large ones.
    /// A deep ReLU network almost surely has some unit within ε of its kink for some coordinate, where
    /// a central difference measures neither side's slope; such coordinates, whose one-sided slopes
    /// disagree, are returned as `kinked` instead of being compared.
    static func sampledFailures(
        of layer: some Layer, input: Tensor, coordinates: Int, seed: UInt64 = 7
    ) -> (failures: [String], kinked: Int) {
        let (inputGradient, loss) = probe(layer, input: input, seed: seed)
        let parameters = layer.parameters
        var random = Random(seed: seed &+ 1)
        var failures: [String] = []
        var kinked = 0
        for draw in 0..<coordinates {
            let name: String
            let analytic: Float
            let slopes: (left: Double, right: Double)
            if draw % 5 == 0 || parameters.isEmpty {
                let index = Int(random.next() % UInt64(input.count))
                (name, analytic) = ("input[\(index)]", inputGradient.storage[index])
                slopes = oneSided(input.storage[index]) { value in
                    var perturbed = input
                    perturbed.storage[index] = value
                    return loss(perturbed)
                }
            } else {
                let number = Int(random.next() % UInt64(parameters.count))
                let parameter = parameters[number]
                let index = Int(random.next() % UInt64(parameter.value.count))
                (name, analytic) = ("parameter \(number) \(parameter.name)[\(index)]", parameter.gradient.storage[index])
                let original = parameter.value.storage[index]
                slopes = oneSided(original) { value in
                    parameter.value.storage[index] = value
                    defer { parameter.value.storage[index] = original }
                    return loss(input)
                }
            }
            guard agree(slopes.left, slopes.right) else {
                kinked += 1
                continue
            }
            let numeric = (slopes.left + slopes.right) / 2
            if !agree(Double(analytic), numeric) { failures.append("\(name): analytic \(analytic), numeric \(numeric)") }
        }
        return (failures, kinked)
    }

    /// (f(x) − f(x − ε)) / ε and (f(x + ε) − f(x)) / ε, over the float32 steps actually taken; their
    /// mean is the central difference.
    private static func oneSided(_ value: Float, _ f: (Float) -> Double) -> (left: Double, right: Double) {
        let (plus, minus) = (value + epsilon, value - epsilon)
        let (up, middle, down) = (f(plus), f(value), f(minus))
        return ((middle - down) / (Double(value) - Double(minus)), (up - middle) / (Double(plus) - Double(value)))
    }

    /// Runs backward once with dL/dOutput = R, from fresh gradients, and returns the input gradient
    /// and L as a function of the input (reading the parameters' current values).
    private static func probe(_ layer: some Layer, input: Tensor, seed: UInt64) -> (Tensor, (Tensor) -> Double) {
        var random = Random(seed: seed)
        let output = layer.forward(input, training: true)
        let weights = Tensor(shape: output.shape, storage: (0..<output.count).map { _ in 2 * random.uniform() - 1 })
        for parameter in layer.parameters { parameter.zeroGradient() }
        let inputGradient = layer.backward(weights)
        return (inputGradient, { input in
            let output = layer.forward(input, training: true)
            return zip(output.storage, weights.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        })
    }

    /// Within 1% relative or 1e-3 absolute.
    static func agree(_ a: Double, _ b: Double) -> Bool {
        let absolute = abs(a - b)
        return absolute < 1e-3 || absolute / max(abs(a), abs(b), .leastNormalMagnitude) < 1e-2
    }

    private static func numeric(_ input: Tensor, _ index: Int, _ loss: (Tensor) -> Double) -> Double {
        numeric(input.storage[index]) { value in
            var perturbed = input
            perturbed.storage[index] = value
            return loss(perturbed)
        }
    }

    private static func numeric(_ parameter: Parameter, _ index: Int, _ loss: () -> Double) -> Double {
        let original = parameter.value.storage[index]
        defer { parameter.value.storage[index] = original }
        return numeric(original) { value in
            parameter.value.storage[index] = value
            return loss()
        }
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
            return agree(a, n) ? nil : "\(name)[\(index)]: analytic \(a), numeric \(n)"
        }
    }
}
