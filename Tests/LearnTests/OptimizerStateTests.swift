import Foundation
import Learn
import Testing

/// Resuming from a saved state must give exactly what an uninterrupted run gives.
struct OptimizerStateTests {
    typealias T = OptimizerTesting

    static func resumesExactly(_ make: () -> any Optimizer) throws {
        let straight = make()
        let uninterrupted = T.trajectory(straight, steps: 5).last

        let first = make()
        let parameter = T.parameter()
        _ = T.trajectory(first, steps: 2, parameter: parameter)
        let saved = try JSONEncoder().encode(first.savedState())
        let savedValues = parameter.value.storage

        let second = make()
        second.restore(try JSONDecoder().decode(OptimizerState.self, from: saved))
        #expect(try second.savedState() == first.savedState())
        let resumed = OptimizerTesting.parameter(savedValues)
        // Continue with the gradients steps 3…5 would have seen.
        for step in 2..<5 {
            resumed.gradient.storage = T.gradients[step % T.gradients.count]
            second.step([resumed])
        }
        #expect(resumed.value.storage == uninterrupted)
        #expect(try second.savedState().step == 5)
    }

    @Test func sgdWithMomentumResumesExactly() throws {
        try Self.resumesExactly { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) }
    }

    @Test func adamWResumesExactly() throws {
        try Self.resumesExactly { AdamW(learningRate: 0.01) }
    }

    @Test func sgdWithoutMomentumKeepsNoBuffers() throws {
        let optimizer = SGD(learningRate: 0.1)
        _ = T.trajectory(optimizer, steps: 2)
        #expect(try optimizer.savedState() == OptimizerState(step: 2, buffers: [:]))
    }

    @Test func aLearningRateChangeBetweenStepsIsHonored() {
        // θ₁ = θ₀ − 0.1·g₁ = [0.95, −1.9, 2.8], then with γ = 0.01: θ₂ = θ₁ − 0.01·g₂ = [0.94, −1.91, 2.81]
        let parameter = T.parameter()
        let optimizer = SGD(learningRate: 0.1)
        parameter.gradient.storage = T.gradients[0]
        optimizer.step([parameter])
        optimizer.learningRate = 0.01
        parameter.gradient.storage = T.gradients[1]
        optimizer.step([parameter])
        T.expectClose(parameter.value.storage, [0.94, -1.91, 2.81])
    }

    @Test func adamWReadsTheLearningRateFromASchedule() {
        // A schedule drives γ; with γ = 0 at the first warmup step AdamW only fills its moments.
        let schedule = LearningRateSchedule(kind: .constant, baseLearningRate: 0.1, totalSteps: 4, warmupSteps: 2)
        let parameter = T.parameter()
        let optimizer = AdamW(learningRate: 1, weightDecay: 0)
        optimizer.learningRate = schedule.learningRate(at: 0)
        parameter.gradient.storage = T.gradients[0]
        optimizer.step([parameter])
        #expect(parameter.value.storage == T.initial)
        optimizer.learningRate = schedule.learningRate(at: 1)
        optimizer.step([parameter])
        // Same gradient twice: m̂ = g₁ and v̂ = g₁², so the step is 0.05·sign(g₁).
        T.expectClose(parameter.value.storage, [0.95, -1.95, 2.95])
    }
}
