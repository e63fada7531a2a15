/// The sizes of one 2-D convolution: everything the kernels need besides the data. Output sizes
/// follow the usual floor rule, `(in + 2·padding - kernel) / stride + 1`.
public struct Conv2DShape: Sendable, Equatable {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int
    /// Channels split into this many independent groups; `groups == inChannels == outChannels` is depthwise.
    public var groups: Int

    public init(
        batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1
    ) {
        precondition(batch > 0 && inChannels > 0 && outChannels > 0 && height > 0 && width > 0, "empty convolution")
        precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0, "bad kernel, stride or padding")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "groups \(groups) must divide inChannels \(inChannels) and outChannels \(outChannels)")
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "kernel larger than the padded input")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }

    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// Rows of one group's im2col matrix: the values one output pixel of that group reads.
    var patchSize: Int { inChannels / groups * kernelHeight * kernelWidth }
    var outPixels: Int { outHeight * outWidth }
}
