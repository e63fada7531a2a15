/// A convolution's kernels transformed once for F(4×4, 3×3)'s products (G g Gᵀ, u[p][o][c]), for weights
/// that no longer change: what evaluation's `Winograd.evaluate` multiplies. Transforming them on every call
/// was, for ResNet-18's last stage (512 × 512 kernels over 7 × 7 planes), a sixth of the layer's time.
public final class WinogradKernels: @unchecked Sendable {
    // @unchecked: written once by init, only read after.
    let pointer: UnsafeMutablePointer<Float>
    let layout: Winograd.Matrices
    var outChannels: Int { layout.rows }
    var inChannels: Int { layout.columns }

    /// weight is (OC, C, 3, 3), on the host.
    public init(weight: Tensor) {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "Winograd kernels are 3×3, got \(weight.shape)")
        layout = Winograd.Matrices(rows: weight.shape[0], columns: weight.shape[1], positions: 36)
        pointer = .allocate(capacity: layout.count)
        weight.storage.withUnsafeBufferPointer {
            Winograd.transformLargeKernels($0.baseAddress!, outChannels: layout.rows, inChannels: layout.columns, into: pointer, layout)
        }
    }

    deinit { pointer.deallocate() }
}
