/// A square 2-D convolution over NCHW images (PyTorch's Conv2d), holding the weights the
/// `Conv2D` kernel reads. The shape is derived from each input, so one layer serves any batch
/// and image size.
public final class Conv2DLayer: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    /// `groups == inChannels == outChannels` is a depthwise convolution.
    public let groups: Int
    /// (OC, C/groups, kernel, kernel)
    public let weight: Parameter
    /// (OC), or nil where a batch norm follows and its beta would make a bias redundant.
    public let bias: Parameter?
    public let backend: any Backend
    private var input: Tensor?
    /// Kept from a training forward until its backward, which releases it.
    private var cache: ConvolutionCache?

    /// Kaiming-normal weights in fan-out mode, std √(2 / (OC·kernel²)), as torchvision initializes
    /// ResNet and MobileNetV2, so activations keep their scale through ReLU stacks; zero bias.
    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1,
        bias: Bool = true, backend: any Backend = CPUBackend.shared, random: inout Random
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "bad convolution \(inChannels)→\(outChannels), kernel \(kernel), stride \(stride), padding \(padding)")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "groups \(groups) must divide \(inChannels) and \(outChannels)")
        (self.inChannels, self.outChannels, self.kernel) = (inChannels, outChannels, kernel)
        (self.stride, self.padding, self.groups, self.backend) = (stride, padding, groups, backend)
        // PyTorch's fan-out is weight.size(0) · receptive field, not divided by groups.
        let deviation = (2 / Float(outChannels * kernel * kernel)).squareRoot()
        let shape = [outChannels, inChannels / groups, kernel, kernel]
        let values = (0..<shape.reduce(1, *)).map { _ in random.normal() * deviation }
        weight = Parameter(name: "weight", value: Tensor(shape: shape, storage: values))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(zeros: [outChannels])) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// The kernel's sizes for an input of this shape.
    public func shape(for inputShape: [Int]) -> Conv2DShape {
        precondition(inputShape.count == 4 && inputShape[1] == inChannels,
                     "Conv2DLayer(\(inChannels)→\(outChannels)) got \(inputShape)")
        return Conv2DShape(batch: inputShape[0], inChannels: inChannels, height: inputShape[2], width: inputShape[3],
                           outChannels: outChannels, kernelHeight: kernel, kernelWidth: kernel,
                           stride: stride, padding: padding, groups: groups)
    }

    // x is (N, C, H, W), y is (N, OC, OH, OW)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        cache = nil
        let (output, cache) = backend.convolution(input, weight: weight.value, bias: bias?.value, shape: shape(for: input.shape),
                                                  training: training)
        self.cache = cache
        return output
    }

    // dy is (N, OC, OH, OW): dW and db accumulate, dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputGradient = backward(gradient, inputGradient: true) else { preconditionFailure("no input gradient") }
        return inputGradient
    }

    // A stem convolution's input gradient is a product as large as its weight gradient, and col2im besides.
    public func accumulateGradients(_ gradient: Tensor) {
        _ = backward(gradient, inputGradient: false)
    }

    private func backward(_ gradient: Tensor, inputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("Conv2DLayer.backward before forward") }
        defer { cache = nil }
        let gradients = backend.convolutionBackward(gradient, input: input, weight: weight.value, shape: shape(for: input.shape),
                                                    inputGradient: inputGradient, cache: cache)
        backend.accumulate(gradients.weight, into: weight)
        if let bias { backend.accumulate(gradients.bias, into: bias) }
        return gradients.input
    }
}
