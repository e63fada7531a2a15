/// torchvision's mobilenet_v2: a conv3×3/2(32)-BN-ReLU6 stem, seventeen inverted residual blocks,
/// conv1×1(1280)-BN-ReLU6, global average pooling, dropout 0.2 and linear(1280 → classes).
/// 3,504,872 parameters at width 1 for 1000 classes.
///
/// An inverted residual block expands with conv1×1(t·C)-BN-ReLU6 (left out when t = 1), filters
/// each channel with a depthwise conv3×3/s-BN-ReLU6 (groups = channels), and projects linearly with
/// conv1×1(C')-BN; it adds its input when s = 1 and C = C'. The stages, as (t, C', repeats, s):
/// (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1).
///
/// The stem (by default `Stem.automatic` for the input side S) has stride 2 for `.imagenet` and 1
/// for `.cifar`, so a 32×32 image reaches the head at 2×2 rather than 1×1.
public enum MobileNetV2 {
    static let stages = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                         (6, 160, 3, 2), (6, 320, 1, 1)]

    /// (N, channels, S, S) → (N, classes). `width` scales the channels, rounded to multiples of 8
    /// as torchvision does; the last convolution never shrinks below 1280.
    public static func make(
        classes: Int, inputSize: Int, width: Double = 1, channels: Int = 3, stem: Stem? = nil,
        backend: any Backend = CPUBackend.shared, random: inout Random
    ) -> Sequential {
        Models.validate(classes: classes, inputSize: inputSize, channels: channels)
        let stages = features(inputSize: inputSize, width: width, channels: channels, stem: stem, backend: backend, random: &random)
        let lastChannels = divisible(1280 * max(1, width))
        return Sequential(stages.layers
            + Models.convBatchNorm(stages.channels[3], lastChannels, kernel: 1, backend: backend, random: &random)
            + [
                ActivationLayer(.relu6, backend: backend),
                GlobalAvgPoolLayer(backend: backend),
                Dropout(probability: 0.2, random: Random(seed: random.next()), backend: backend),
                Linear(inputSize: lastChannels, outputSize: classes, backend: backend, random: &random),
            ])
    }

    /// The stem and the seven stages, cut after the second (24 channels, stride 4 with the ImageNet stem),
    /// the third (32, stride 8), the fifth (96, stride 16) and the seventh (320, stride 32); the
    /// classifier's last conv1×1(1280) is left to it.
    public static func features(
        inputSize: Int, width: Double = 1, channels: Int = 3, stem: Stem? = nil, backend: any Backend = CPUBackend.shared,
        random: inout Random
    ) -> FeatureStages {
        precondition(width > 0, "MobileNetV2 width must be positive, got \(width)")
        var inChannels = divisible(32 * width)
        let imagenet = (stem ?? .automatic(inputSize: inputSize)) == .imagenet
        var parts: [[any Layer]] = [
            Models.convBatchNorm(channels, inChannels, kernel: 3, stride: imagenet ? 2 : 1, backend: backend, random: &random)
                + [ActivationLayer(.relu6, backend: backend)],
        ]
        var outputs: [Int] = []
        for (stage, (expansion, baseChannels, repeats, firstStride)) in stages.enumerated() {
            let outChannels = divisible(Double(baseChannels) * width)
            for index in 0..<repeats {
                let stride = index == 0 ? firstStride : 1
                let block = invertedResidual(inChannels, outChannels, stride: stride, expansion: expansion,
                                             backend: backend, random: &random)
                parts[parts.count - 1].append(stride == 1 && inChannels == outChannels ? Residual(block, backend: backend) : block)
                inChannels = outChannels
            }
            if [1, 2, 4, 6].contains(stage) {
                outputs.append(outChannels)
                if stage < 6 { parts.append([]) }
            }
        }
        let first = imagenet ? 4 : 2
        return FeatureStages(parts: parts, channels: outputs, strides: [first, first * 2, first * 4, first * 8])
    }

    /// (N, C, H, W) → (N, C', H/s, W/s): expand, depthwise filter, project; no activation after the
    /// projection, since ReLU on the narrow output would destroy information (the paper's linear bottleneck).
    static func invertedResidual(
        _ inChannels: Int, _ outChannels: Int, stride: Int, expansion: Int, backend: any Backend, random: inout Random
    ) -> Sequential {
        let hidden = inChannels * expansion
        var layers: [any Layer] = []
        if expansion != 1 {
            layers += Models.convBatchNorm(inChannels, hidden, kernel: 1, backend: backend, random: &random)
                + [ActivationLayer(.relu6, backend: backend)]
        }
        layers += Models.convBatchNorm(hidden, hidden, kernel: 3, stride: stride, groups: hidden, backend: backend,
                                       random: &random)
            + [ActivationLayer(.relu6, backend: backend)]
        layers += Models.convBatchNorm(hidden, outChannels, kernel: 1, backend: backend, random: &random)
        return Sequential(layers)
    }

    /// torchvision's _make_divisible: the nearest multiple of 8, at least 8, and never more than
    /// 10 % below the requested value.
    static func divisible(_ value: Double) -> Int {
        var rounded = max(8, Int(value + 4) / 8 * 8)
        if Double(rounded) < 0.9 * value { rounded += 8 }
        return rounded
    }
}
