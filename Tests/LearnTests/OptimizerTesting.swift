import Learn
import Testing

/// Shared by the optimizer tests: one 3-element parameter and a fixed gradient for each step.
enum OptimizerTesting {
    static let initial: [Float] = [1, -2, 3]
    static let gradients: [[Float]] = [[0.5, -1, 2], [1, 1, -1], [0, 2, 0.5]]

    static func parameter(_ values: [Float] = initial) -> Parameter {
        Parameter(name: "weight", value: Tensor(shape: [values.count], storage: values))
    }

    /// The parameter's values after each step, feeding `gradients` in order.
    static func trajectory(_ optimizer: some Optimizer, steps: Int, parameter: Parameter = parameter()) -> [[Float]] {
        (0..<steps).map { step in
            parameter.gradient.storage = gradients[step % gradients.count]
            optimizer.step([parameter])
            return parameter.value.storage
        }
    }

    static func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 2e-6,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= tolerance * max(1, abs(e)), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
    }
}
