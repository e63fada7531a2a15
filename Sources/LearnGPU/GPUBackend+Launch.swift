import CUDA
import Learn

/// How each kernel is launched: the shapes Resources/cuda/kernels.cu documents at each kernel.
extension GPUBackend {
    /// Threads per block for elementwise and reduction kernels.
    static let blockSize = 256
    /// Blocks per multiprocessor for grid-stride kernels: eight blocks of 256 threads fill a
    /// multiprocessor's 2,048 threads, and each thread loops over the rest.
    static let blocksPerMultiprocessor = 8

    func launch(_ name: KernelTable.Name, grid: Dimensions, block: Dimensions, _ arguments: [KernelArgument]) {
        attempt { () throws(GPUError) in try stream.launch(kernels[name], grid: grid, block: block, arguments) }
    }

    /// A grid-stride kernel over `count` elements.
    func launch(_ name: KernelTable.Name, over count: Int, _ arguments: [KernelArgument]) {
        guard count > 0 else { return }
        let blocks = min((count + Self.blockSize - 1) / Self.blockSize, maximumBlocks)
        launch(name, grid: Dimensions(blocks), block: Dimensions(Self.blockSize), arguments)
    }

    /// A kernel with one block per channel (or row, or weight) that reduces `values` within each block.
    /// The block is sized to the work, about 16 values a thread, from 32 threads to 256: a small reduction
    /// gains nothing from idle threads, which cost barriers all the same. The size follows from the
    /// shape alone, so a shape's sums always come out the same.
    func launch(_ name: KernelTable.Name, blocks: Int, reducing values: Int, _ arguments: [KernelArgument]) {
        guard blocks > 0 else { return }
        launch(name, grid: Dimensions(blocks), block: Dimensions(Self.reductionThreads(values)), arguments)
    }

    static func reductionThreads(_ values: Int) -> Int {
        let wanted = (values + 15) / 16
        var threads = 32
        while threads < wanted && threads < blockSize { threads *= 2 }
        return threads
    }

    public enum GEMMLayout: Sendable, CaseIterable {
        /// C = A·B
        case nn
        /// C = A·Bᵀ, B stored n×k
        case nt
        /// C = Aᵀ·B, A stored k×m
        case tn
    }

    /// One matrix in a batched product: its address, leading dimension and the step between batches.
    struct Operand {
        var address: UInt64
        var leading: Int
        var stride: Int = 0
    }

    /// C = alpha·op(A)·op(B) + beta·C, row-major, `batch` products one after another in memory: by cuBLAS
    /// when it is installed, else by our kernels, in TensorFloat-32 on the tensor cores when the backend
    /// allows it. cuBLAS takes every shape for now: which is faster for which shape class is to be
    /// measured on a real card (docs/gpu.md).
    func gemm(_ layout: GEMMLayout, m: Int, n: Int, k: Int, _ a: Operand, _ b: Operand, _ c: Operand,
              alpha: Float = 1, beta: Float = 0, batch: Int = 1) {
        if let blas {
            attempt { () throws(GPUError) in
                try blas.multiply(m: m, n: n, k: k, alpha: alpha, a: a.address, lda: a.leading, strideA: a.stride,
                                  transposeA: layout == .tn, b: b.address, ldb: b.leading, strideB: b.stride, transposeB: layout == .nt,
                                  beta: beta, c: c.address, ldc: c.leading, strideC: c.stride, batch: batch)
            }
            return
        }
        let name: KernelTable.Name = switch (layout, tf32) {
        case (.nn, false): .sgemmNN
        case (.nt, false): .sgemmNT
        case (.tn, false): .sgemmTN
        case (.nn, true): .sgemmNNTF32
        case (.nt, true): .sgemmNTTF32
        case (.tn, true): .sgemmTNTF32
        }
        let tile = Self.gemmTile
        launch(name, grid: Dimensions((n + tile.columns - 1) / tile.columns, (m + tile.rows - 1) / tile.rows, batch),
               block: Dimensions(tile.threads), [
                   .int(m), .int(n), .int(k), .float(alpha), .address(a.address), .int(a.leading), .int64(a.stride),
                   .address(b.address), .int(b.leading), .int64(b.stride), .float(beta), .address(c.address), .int(c.leading),
                   .int64(c.stride),
               ])
    }

    /// The block tile of the SGEMM kernels: rows of C, columns of C, and threads per block, as
    /// GEMM_BM and GEMM_BN in kernels.cu say (the linear tests span two tiles each way, so a mismatch fails them).
    static let gemmTile = (rows: 128, columns: 64, threads: 256)
}

extension GPUBackend {
    /// a (m, k) · b (k, n) → (m, n), one SGEMM: what the convolutions and dense layers spend their time in,
    /// on its own for benchmarks and checks.
    public func matrixProduct(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0], "product of \(a.shape) and \(b.shape)")
        let c = empty([a.shape[0], b.shape[1]])
        product(.nn, m: a.shape[0], n: b.shape[1], k: a.shape[1], a, b, into: c)
        return c
    }

    /// c = op(a)·op(b) for `batch` packed matrices each, as the layers call it: a holds m×k matrices (k×m
    /// for .tn), b k×n (n×k for .nt), c m×n. For benchmarks of shape classes.
    public func product(_ layout: GEMMLayout, m: Int, n: Int, k: Int, batch: Int = 1, _ a: Tensor, _ b: Tensor, into c: Tensor) {
        precondition(a.count >= batch * m * k && b.count >= batch * k * n && c.count >= batch * m * n, "product operands too small")
        gemm(layout, m: m, n: n, k: k, Operand(address: a.address, leading: layout == .tn ? m : k, stride: m * k),
             Operand(address: b.address, leading: layout == .nt ? k : n, stride: k * n), Operand(address: c.address, leading: n, stride: m * n),
             batch: batch)
    }
}
