/// torchvision's resnet18: BasicBlocks in four stages of [2, 2, 2, 2], widths 64/128/256/512
/// (times `width`), stages 2–4 starting with stride 2 and a conv1×1/2 + BN shortcut, then global
/// average pooling and linear(512·width → classes). 11,689,512 parameters at width 1 for 1000 classes.
///
/// The stem (by default `Stem.automatic` for the input side S):
/// - `.imagenet`: conv7×7/2(64)-BN-ReLU → maxpool 3×3/2 (224 → 56 before stage 1);
/// - `.cifar`: conv3×3/1(64)-BN-ReLU and no pooling (32 stays 32 before stage 1).
public enum ResNet18 {
    /// (N, channels, S, S) → (N, classes). `width` scales every stage's channels (rounded, at least
    /// 1), so tests can build a tiny network of the same topology; every layer runs on `backend`.
    public static func make(
        classes: Int, inputSize: Int, width: Double = 1, channels: Int = 3, stem: Stem? = nil,
        backend: any Backend = CPUBackend.shared, random: inout Random
    ) -> Sequential {
        Models.validate(classes: classes, inputSize: inputSize, channels: channels)
        let stages = features(inputSize: inputSize, width: width, channels: channels, stem: stem, backend: backend, random: &random)
        return Sequential(stages.layers + [
            GlobalAvgPoolLayer(backend: backend),
            Linear(inputSize: stages.channels[3], outputSize: classes, backend: backend, random: &random),
        ])
    }

    /// The network without its head, cut after each stage: the stem and stage 1 (stride 4 with the
    /// ImageNet stem), stage 2 (8), stage 3 (16) and stage 4 (32).
    public static func features(
        inputSize: Int, width: Double = 1, channels: Int = 3, stem: Stem? = nil, backend: any Backend = CPUBackend.shared,
        random: inout Random
    ) -> FeatureStages {
        precondition(width > 0, "ResNet18 width must be positive, got \(width)")
        let widths = [64, 128, 256, 512].map { max(1, Int((Double($0) * width).rounded())) }
        let imagenet = (stem ?? .automatic(inputSize: inputSize)) == .imagenet
        var parts: [[any Layer]]
        if imagenet {
            parts = [Models.convBatchNorm(channels, widths[0], kernel: 7, stride: 2, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend), MaxPool2DLayer(kernel: 3, stride: 2, padding: 1, backend: backend)]]
        } else {
            parts = [Models.convBatchNorm(channels, widths[0], kernel: 3, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend)]]
        }
        var inChannels = widths[0]
        for (stage, outChannels) in widths.enumerated() {
            // Stage 1 shares the first part with the stem; the others are a part each.
            if stage >= 1 { parts.append([]) }
            for block in 0..<2 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                parts[parts.count - 1].append(BasicBlock(inChannels: inChannels, outChannels: outChannels, stride: stride,
                                                         backend: backend, random: &random))
                inChannels = outChannels
            }
        }
        let first = imagenet ? 4 : 1
        return FeatureStages(parts: parts, channels: widths, strides: [first, first * 2, first * 4, first * 8])
    }
}
