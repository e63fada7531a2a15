/// A convolution's kernels transformed once for Winograd's products (G g Gᵀ, u[p][o][c]), for weights that
/// no longer change: evaluation transforms them again on every call otherwise, which for ResNet-18's last
/// stage (512 × 512 kernels over 7 × 7 planes) was a sixth of the layer's time.
public final class WinogradKernels: @unchecked Sendable {
    // @unchecked: written once by init, only read after.
    let pointer: UnsafeMutablePointer<Float>
    let outChannels: Int
    let inChannels: Int

    /// weight is (OC, C, 3, 3), on the host.
    public init(weight: Tensor) {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "Winograd kernels are 3×3, got \(weight.shape)")
        (outChannels, inChannels) = (weight.shape[0], weight.shape[1])
        let layout = Winograd.Matrices(rows: outChannels, columns: inChannels)
        pointer = .allocate(capacity: layout.count)
        weight.storage.withUnsafeBufferPointer {
            Winograd.transformKernels($0.baseAddress!, outChannels: outChannels, inChannels: inChannels, into: pointer, layout)
        }
    }

    deinit { pointer.deallocate() }
}
