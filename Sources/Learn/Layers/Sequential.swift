/// Layers applied in order; backward visits them in reverse.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    /// Each layer's parameters in layer order, so the order is fixed by the model's definition.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    // x is the first layer's input shape, y is the last layer's output shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        layers.reduce(input) { $1.forward($0, training: training) }
    }

    // dy is the last layer's output shape, dx is the first layer's input shape
    public func backward(_ gradient: Tensor) -> Tensor {
        layers.reversed().reduce(gradient) { $1.backward($0) }
    }

    // The first layer's input is the model's, so it alone may skip its input gradient.
    public func accumulateGradients(_ gradient: Tensor) {
        guard let first = layers.first else { return }
        first.accumulateGradients(layers.dropFirst().reversed().reduce(gradient) { $1.backward($0) })
    }
}
