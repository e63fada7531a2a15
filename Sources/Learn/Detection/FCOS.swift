import Foundation

/// A one-stage anchor-free detector in the manner of FCOS (Tian et al., 2019), light enough to train on
/// a CPU: a top-down feature pyramid fusing the backbone's maps from stride 8 up into the finest
/// (`FeaturePyramid`), a tower of two conv3×3-BN-ReLU, and one conv3×3 predicting at every location of
/// the stride-8 map
///
///     [class logits (classes), box distances (left, top, right, bottom), centerness logit]
///
/// Distances are `stride · exp(value)` from the location's center. One output level rather than FCOS's
/// five: the fused map carries the coarse levels' context, and on the small images Quarry trains a
/// stride of 8 covers the objects (docs/decisions.md).
public final class FCOS: PyramidModel {
    public let classes: Int
    public let pyramid: FeaturePyramid
    /// The tower and the head.
    public let top: Sequential
    public let backend: any Backend

    /// The prior probability of an object the class logits start from, so the focal loss's many
    /// background locations do not swamp the first steps (FCOS and RetinaNet's π = 0.01).
    static let prior: Float = 0.01

    /// (N, 3, S, S) → (N, classes + 5, S/8, S/8) for an ImageNet-stem backbone; S must be a multiple of 32
    /// so that every pyramid level doubles into the next exactly.
    public init(classes: Int, backbone: FeatureStages, pyramidChannels: Int, backend: any Backend = CPUBackend.shared,
                random: inout Random) {
        precondition(classes > 0 && pyramidChannels > 0, "a detector needs classes and pyramid channels")
        (self.classes, self.backend) = (classes, backend)
        pyramid = FeaturePyramid(backbone: backbone, first: 1, channels: pyramidChannels, backend: backend, random: &random)
        let tower = (0..<2).flatMap { _ in
            Models.convBatchNorm(pyramidChannels, pyramidChannels, kernel: 3, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend)]
        }
        let head = Conv2DLayer(inChannels: pyramidChannels, outChannels: classes + 5, kernel: 3, padding: 1, backend: backend,
                               random: &random)
        // FCOS's head initialization: small weights, and class biases at the prior's logit.
        head.weight.value.storage = head.weight.value.storage.map { $0 / 100 }
        let priorLogit = -log((1 - Self.prior) / Self.prior)
        head.bias!.value.storage = (0..<classes + 5).map { $0 < classes ? priorLogit : 0 }
        top = Sequential(tower + [head])
    }
}
