/// Evaluation's operations composed of the training ones, for a backend without kernels of its own for
/// them (the CUDA backend today): batch norm stays folded, the rest runs as separate passes.
extension Backend {
    public func fusedConvolution(_ input: Tensor, _ convolution: FusedConvolution, residual: Tensor?) -> Tensor {
        var output = self.convolution(input, weight: convolution.weight, bias: convolution.bias,
                                      shape: convolution.layer.shape(for: input.shape), training: false).output
        if let residual { add(residual, into: &output) }
        return convolution.activation.map { activation($0, output) } ?? output
    }

    public func maxPoolOutput(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        maxPool(input, kernel: kernel, stride: stride, padding: padding).output
    }
}
