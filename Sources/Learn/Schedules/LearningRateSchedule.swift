import Foundation

/// The learning rate for each optimizer step: an optional linear warmup, then a constant rate, step
/// decay, or cosine annealing. A value type that a training configuration stores and a resumed run
/// re-reads, so it is Codable and validated when decoded.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The base rate after warmup.
        case constant
        /// torch.optim.lr_scheduler.StepLR: base · gamma^⌊s / stepSize⌋.
        case step
        /// torch.optim.lr_scheduler.CosineAnnealingLR: min + (base − min)·(1 + cos(π·s / S)) / 2.
        case cosine
    }

    public let kind: Kind
    public let baseLearningRate: Float
    /// Cosine reaches the minimum here; the other kinds do not depend on it.
    public let totalSteps: Int
    /// The rate rises linearly from 0 at step 0 to the base rate at step `warmupSteps`.
    public let warmupSteps: Int
    public let stepSize: Int
    public let gamma: Float
    public let minimumLearningRate: Float

    public init(kind: Kind, baseLearningRate: Float, totalSteps: Int, warmupSteps: Int = 0,
                stepSize: Int = 1, gamma: Float = 0.1, minimumLearningRate: Float = 0) {
        self.kind = kind
        self.baseLearningRate = baseLearningRate
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.stepSize = stepSize
        self.gamma = gamma
        self.minimumLearningRate = minimumLearningRate
        if let problem { preconditionFailure(problem) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        baseLearningRate = try container.decode(Float.self, forKey: .baseLearningRate)
        totalSteps = try container.decode(Int.self, forKey: .totalSteps)
        warmupSteps = try container.decode(Int.self, forKey: .warmupSteps)
        stepSize = try container.decode(Int.self, forKey: .stepSize)
        gamma = try container.decode(Float.self, forKey: .gamma)
        minimumLearningRate = try container.decode(Float.self, forKey: .minimumLearningRate)
        if let problem {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
        }
    }

    /// Why these settings cannot make a schedule, or nil when they can.
    private var problem: String? {
        if !(baseLearningRate >= 0 && minimumLearningRate >= 0 && gamma >= 0) {
            return "learning rates and gamma must be non-negative"
        }
        if totalSteps < 0 || warmupSteps < 0 || warmupSteps > totalSteps {
            return "need 0 ≤ warmupSteps (\(warmupSteps)) ≤ totalSteps (\(totalSteps))"
        }
        if stepSize < 1 { return "stepSize must be at least 1, got \(stepSize)" }
        return nil
    }

    /// The rate for the step about to be taken, counting from 0. Decay counts steps from the end of
    /// warmup, as torch's SequentialLR does when it hands over from warmup to the next scheduler.
    public func learningRate(at step: Int) -> Float {
        precondition(step >= 0, "negative step \(step)")
        if step < warmupSteps {
            return Float(Double(baseLearningRate) * Double(step) / Double(warmupSteps))
        }
        let sinceWarmup = step - warmupSteps
        switch kind {
        case .constant:
            return baseLearningRate
        case .step:
            return Float(Double(baseLearningRate) * pow(Double(gamma), Double(sinceWarmup / stepSize)))
        case .cosine:
            // Held at the minimum after the last step, where torch's closed form would rise again.
            let span = totalSteps - warmupSteps
            guard sinceWarmup < span else { return minimumLearningRate }
            let (base, minimum) = (Double(baseLearningRate), Double(minimumLearningRate))
            let progress = Double(sinceWarmup) / Double(span)
            return Float(minimum + (base - minimum) * (1 + cos(Double.pi * progress)) / 2)
        }
    }
}
