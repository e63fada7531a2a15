/// Elementwise kernels over whole tensors, cut into one range per core for tensors large enough to
/// pay for the threads. Callers pass the loop itself, not a per-value function: a closure called
/// per value is not inlined through the thread hand-off and costs an indirect call per value, while
/// a loop written at the call site is compiled, and vectorized, where it stands.
enum Elementwise {
    /// `kernel(x, y, range)` fills y over each range from x.
    @inline(__always)
    static func unary(_ x: Tensor, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void) -> Tensor {
        Tensor(shape: x.shape) { y in
            x.storage.withUnsafeBufferPointer { x in
                Parallel.forRanges(x.count, work: x.count) { kernel(x.baseAddress!, y, $0) }
            }
        }
    }

    /// `kernel(x, y, z, range)` fills z over each range from x and y, which have the same shape.
    @inline(__always)
    static func binary(
        _ x: Tensor, _ y: Tensor,
        _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void
    ) -> Tensor {
        precondition(x.shape == y.shape, "elementwise operands \(x.shape) and \(y.shape) differ")
        return Tensor(shape: x.shape) { z in
            x.storage.withUnsafeBufferPointer { x in
                y.storage.withUnsafeBufferPointer { y in
                    Parallel.forRanges(x.count, work: x.count) { kernel(x.baseAddress!, y.baseAddress!, z, $0) }
                }
            }
        }
    }

    /// target[i] += source[i], in place: gradients accumulate this way.
    static func add(_ source: Tensor, into target: inout Tensor) {
        precondition(source.shape == target.shape, "cannot add \(source.shape) into \(target.shape)")
        source.storage.withUnsafeBufferPointer { source in
            target.storage.withUnsafeMutableBufferPointer { target in
                Parallel.forRanges(source.count, work: source.count) { range in
                    for i in range { target[i] += source[i] }
                }
            }
        }
    }
}
