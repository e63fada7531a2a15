import Foundation

/// The sigmoid focal loss (Lin et al., 2017) of one logit against a 0/1 target, and its derivative:
///
///     FL = −α (1 − p)^γ log p           for a positive,
///     FL = −(1 − α) p^γ log(1 − p)      for a negative,     p = σ(x),
///
/// so confidently right background locations, the vast majority, add almost nothing. The logs are
/// taken as −softplus(∓x), which stays finite for any logit.
struct FocalLoss {
    var alpha = 0.25
    var gamma = 2.0

    func callAsFunction(logit x: Double, positive: Bool) -> (loss: Double, gradient: Double) {
        let p = 1 / (1 + exp(-x))
        if positive {
            let logP = -Self.softplus(-x)
            let weight = pow(1 - p, gamma)
            return (-alpha * weight * logP, alpha * gamma * weight * p * logP - alpha * weight * (1 - p))
        }
        let logNotP = -Self.softplus(x)
        let weight = pow(p, gamma)
        return (-(1 - alpha) * weight * logNotP, (1 - alpha) * (weight * p - gamma * weight * (1 - p) * logNotP))
    }

    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }
}
