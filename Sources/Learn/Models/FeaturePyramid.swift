/// A backbone and a top-down feature pyramid over its outputs from level `first` up (FPN, Lin et al.,
/// 2017, without the output convolutions): a lateral conv1×1 brings each level to `channels`, and from
/// the coarsest down each level adds the one above doubled by nearest upsampling, ending at the finest:
/// (N, 3, S, S) → (N, channels, S/stride, S/stride), stride the finest level's. A detector fuses the
/// levels from stride 8 up, a segmenter from stride 4.
public final class FeaturePyramid: ContainerLayer {
    public let backbone: FeatureStages
    /// The finest level fused.
    public let first: Int
    public let channels: Int
    /// One per fused level, finest first.
    let laterals: [Conv2DLayer]
    public let backend: any Backend

    public init(backbone: FeatureStages, first: Int, channels: Int, backend: any Backend = CPUBackend.shared, random: inout Random) {
        precondition((0..<backbone.parts.count).contains(first) && channels > 0, "a pyramid fuses levels \(first) up into \(channels) channels")
        (self.backbone, self.first, self.channels, self.backend) = (backbone, first, channels, backend)
        laterals = backbone.channels[first...].map {
            Conv2DLayer(inChannels: $0, outChannels: channels, kernel: 1, backend: backend, random: &random)
        }
    }

    /// Input pixels per output location along each side.
    public var stride: Int { backbone.strides[first] }
    /// What the input's sides must be a multiple of, for every level to double into the next exactly.
    public var sideMultiple: Int { backbone.strides[backbone.parts.count - 1] }
    public var children: [any Layer] { backbone.parts + laterals }
    public var parameters: [Parameter] { children.flatMap(\.parameters) }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.rank == 4 && input.shape[2] % sideMultiple == 0 && input.shape[3] % sideMultiple == 0,
                     "a pyramid's input sides must be multiples of \(sideMultiple), got \(input.shape)")
        var features: [Tensor] = []
        var current = input
        for part in backbone.parts {
            current = part.forward(current, training: training)
            features.append(current)
        }
        let top = backbone.parts.count - 1
        var fused = laterals[top - first].forward(features[top], training: training)
        for level in Swift.stride(from: top - 1, through: first, by: -1) {
            var lateral = laterals[level - first].forward(features[level], training: training)
            backend.add(backend.upsampleNearest(fused, factor: 2), into: &lateral)
            fused = lateral
        }
        return fused
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        backbone.parts[0].backward(firstPartGradient(gradient))
    }

    public func accumulateGradients(_ gradient: Tensor) {
        backbone.parts[0].accumulateGradients(firstPartGradient(gradient))
    }

    /// Back through the pyramid and the backbone's upper parts: dL/d(first part's output).
    private func firstPartGradient(_ gradient: Tensor) -> Tensor {
        let top = backbone.parts.count - 1
        var fused = gradient
        var lateralGradients: [Int: Tensor] = [:]
        for level in first..<top {
            lateralGradients[level] = laterals[level - first].backward(fused)
            fused = backend.upsampleNearestBackward(fused, factor: 2)
        }
        // Each level's output feeds its lateral (if fused) and the part above, and their gradients add.
        var above = laterals[top - first].backward(fused)
        for level in Swift.stride(from: top - 1, through: 0, by: -1) {
            var sum = backbone.parts[level + 1].backward(above)
            if let lateral = lateralGradients[level] { backend.add(lateral, into: &sum) }
            above = sum
        }
        return above
    }
}
