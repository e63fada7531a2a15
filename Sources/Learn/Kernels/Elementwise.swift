/// Elementwise maps over whole tensors: plain loops over raw buffers, which the compiler
/// vectorizes, cut into one range per core for tensors large enough to pay for the threads.
enum Elementwise {
    /// y[i] = f(x[i])
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(shape: x.shape) { y in
            x.storage.withUnsafeBufferPointer { x in
                Parallel.forRanges(x.count, work: x.count) { range in
                    for i in range { y[i] = f(x[i]) }
                }
            }
        }
    }

    /// z[i] = f(x[i], y[i]); x and y have the same shape.
    @inline(__always)
    static func map(_ x: Tensor, _ y: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(x.shape == y.shape, "elementwise operands \(x.shape) and \(y.shape) differ")
        return Tensor(shape: x.shape) { z in
            x.storage.withUnsafeBufferPointer { x in
                y.storage.withUnsafeBufferPointer { y in
                    Parallel.forRanges(x.count, work: x.count) { range in
                        for i in range { z[i] = f(x[i], y[i]) }
                    }
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
