import Foundation

/// A one-stage anchor-free detector in the manner of FCOS (Tian et al., 2019), light enough to train on
/// a CPU: a backbone cut in three (`FeatureStages`), a top-down feature pyramid that fuses the three
/// maps into the finest (lateral conv1×1 per level, nearest 2× upsampling, sums), a tower of two
/// conv3×3-BN-ReLU, and one conv3×3 predicting at every location of the stride-8 map
///
///     [class logits (classes), box distances (left, top, right, bottom), centerness logit]
///
/// Distances are `stride · exp(value)` from the location's center. One output level rather than FCOS's
/// five: the fused map carries the coarse levels' context, and on the small images Quarry trains a
/// stride of 8 covers the objects (docs/decisions.md).
public final class FCOS: ContainerLayer {
    public let classes: Int
    /// Input pixels per output location along each side.
    public let stride: Int
    public let pyramidChannels: Int
    let backbone: FeatureStages
    let laterals: [Conv2DLayer]
    let tower: Sequential
    let head: Conv2DLayer
    public let backend: any Backend

    /// The prior probability of an object the class logits start from, so the focal loss's many
    /// background locations do not swamp the first steps (FCOS and RetinaNet's π = 0.01).
    static let prior: Float = 0.01

    /// (N, 3, S, S) → (N, classes + 5, S/8, S/8) for an ImageNet-stem backbone; S must be a multiple of 32
    /// so that every pyramid level doubles into the next exactly.
    public init(classes: Int, backbone: FeatureStages, pyramidChannels: Int, backend: any Backend = CPUBackend.shared,
                random: inout Random) {
        precondition(classes > 0 && pyramidChannels > 0, "a detector needs classes and pyramid channels")
        (self.classes, self.backbone, self.pyramidChannels, self.backend) = (classes, backbone, pyramidChannels, backend)
        stride = backbone.strides[0]
        laterals = backbone.channels.map {
            Conv2DLayer(inChannels: $0, outChannels: pyramidChannels, kernel: 1, backend: backend, random: &random)
        }
        tower = Sequential((0..<2).flatMap { _ in
            Models.convBatchNorm(pyramidChannels, pyramidChannels, kernel: 3, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend)]
        })
        head = Conv2DLayer(inChannels: pyramidChannels, outChannels: classes + 5, kernel: 3, padding: 1, backend: backend,
                           random: &random)
        // FCOS's head initialization: small weights, and class biases at the prior's logit.
        head.weight.value.storage = head.weight.value.storage.map { $0 / 100 }
        let priorLogit = -log((1 - Self.prior) / Self.prior)
        head.bias!.value.storage = (0..<classes + 5).map { $0 < classes ? priorLogit : 0 }
    }

    public var children: [any Layer] { backbone.parts + laterals + [tower, head] }
    public var parameters: [Parameter] { children.flatMap(\.parameters) }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.rank == 4 && input.shape[2] % (stride * 4) == 0 && input.shape[3] % (stride * 4) == 0,
                     "a detector's input sides must be multiples of \(stride * 4), got \(input.shape)")
        var features: [Tensor] = []
        var current = input
        for part in backbone.parts {
            current = part.forward(current, training: training)
            features.append(current)
        }
        // Top-down: the coarsest lateral, then each finer one plus the coarser sum doubled.
        var fused = laterals[2].forward(features[2], training: training)
        for level in [1, 0] {
            var lateral = laterals[level].forward(features[level], training: training)
            backend.add(backend.upsampleNearest(fused, factor: 2), into: &lateral)
            fused = lateral
        }
        return head.forward(tower.forward(fused, training: training), training: training)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        backbone.parts[0].backward(backboneGradient(gradient))
    }

    public func accumulateGradients(_ gradient: Tensor) {
        backbone.parts[0].accumulateGradients(backboneGradient(gradient))
    }

    /// Back through the head, tower, pyramid and the backbone's upper parts: dL/d(first part's output).
    private func backboneGradient(_ gradient: Tensor) -> Tensor {
        var fused = tower.backward(head.backward(gradient))
        var partGradients: [Tensor] = []
        for level in [0, 1] {
            partGradients.append(laterals[level].backward(fused))
            fused = backend.upsampleNearestBackward(fused, factor: 2)
        }
        // The coarsest part gets only its lateral's gradient; each finer one adds the part above's.
        var above = laterals[2].backward(fused)
        for level in [1, 0] {
            var sum = backbone.parts[level + 1].backward(above)
            backend.add(partGradients[level], into: &sum)
            above = sum
        }
        return above
    }
}
