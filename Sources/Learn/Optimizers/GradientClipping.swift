/// Keeps one bad batch from throwing the weights far away.
public enum GradientClipping {
    /// torch.nn.utils.clip_grad_norm_ (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html):
    /// the L2 norm of all gradients together, as if concatenated into one vector; when it is over
    /// `maxNorm`, every gradient is multiplied by maxNorm / (norm + 1e-6). The 1e-6 is torch's, so
    /// the clipped norm lands just under `maxNorm`. Like torch, the scale is applied whenever it is
    /// below one, and a non-finite norm is returned without scaling so the caller can skip the step.
    /// Returns the norm before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        precondition(maxNorm > 0, "clipNorm needs a positive maxNorm, got \(maxNorm)")
        // Summed in double: millions of squares in float would lose the small ones.
        var sumOfSquares = 0.0
        for parameter in parameters {
            parameter.gradient.storage.withUnsafeBufferPointer { g in
                for x in g { sumOfSquares += Double(x) * Double(x) }
            }
        }
        let norm = Float(sumOfSquares.squareRoot())
        let scale = maxNorm / (norm + 1e-6)
        guard norm.isFinite, scale < 1 else { return norm }
        for parameter in parameters {
            parameter.gradient.storage.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= scale }
            }
        }
        return norm
    }
}
