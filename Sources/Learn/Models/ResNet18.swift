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
        precondition(width > 0, "ResNet18 width must be positive, got \(width)")
        let widths = [64, 128, 256, 512].map { max(1, Int((Double($0) * width).rounded())) }
        var layers: [any Layer]
        if (stem ?? .automatic(inputSize: inputSize)) == .imagenet {
            layers = Models.convBatchNorm(channels, widths[0], kernel: 7, stride: 2, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend), MaxPool2DLayer(kernel: 3, stride: 2, padding: 1, backend: backend)]
        } else {
            layers = Models.convBatchNorm(channels, widths[0], kernel: 3, backend: backend, random: &random) + [ActivationLayer(.relu, backend: backend)]
        }
        var inChannels = widths[0]
        for (stage, outChannels) in widths.enumerated() {
            for block in 0..<2 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                layers.append(BasicBlock(inChannels: inChannels, outChannels: outChannels, stride: stride,
                                         backend: backend, random: &random))
                inChannels = outChannels
            }
        }
        layers += [GlobalAvgPoolLayer(backend: backend),
                   Linear(inputSize: inChannels, outputSize: classes, backend: backend, random: &random)]
        return Sequential(layers)
    }
}
