import Learn
import Testing

/// Hand-computed steps of torch.optim.SGD's documented algorithm with lr γ = 0.1, starting from
/// θ₀ = [1, −2, 3], gradients g₁ = [0.5, −1, 2], g₂ = [1, 1, −1], g₃ = [0, 2, 0.5].
struct OptimizerSGDTests {
    typealias T = OptimizerTesting

    @Test func plain() {
        // θ₁ = θ₀ − 0.1·g₁ = [0.95, −1.9, 2.8]; θ₂ = θ₁ − 0.1·g₂ = [0.85, −2.0, 2.9];
        // θ₃ = θ₂ − 0.1·g₃ = [0.85, −2.2, 2.85]
        let steps = T.trajectory(SGD(learningRate: 0.1), steps: 3)
        T.expectClose(steps[0], [0.95, -1.9, 2.8])
        T.expectClose(steps[1], [0.85, -2.0, 2.9])
        T.expectClose(steps[2], [0.85, -2.2, 2.85])
    }

    @Test func momentum() {
        // μ = 0.9. b₁ = g₁ (first step copies the gradient) → θ₁ = [0.95, −1.9, 2.8]
        // b₂ = 0.9·[0.5, −1, 2] + [1, 1, −1] = [1.45, 0.1, 0.8] → θ₂ = θ₁ − 0.1·b₂ = [0.805, −1.91, 2.72]
        // b₃ = 0.9·[1.45, 0.1, 0.8] + [0, 2, 0.5] = [1.305, 2.09, 1.22] → θ₃ = [0.6745, −2.119, 2.598]
        let steps = T.trajectory(SGD(learningRate: 0.1, momentum: 0.9), steps: 3)
        T.expectClose(steps[0], [0.95, -1.9, 2.8])
        T.expectClose(steps[1], [0.805, -1.91, 2.72])
        T.expectClose(steps[2], [0.6745, -2.119, 2.598])
    }

    @Test func dampeningSkipsTheFirstStep() {
        // τ = 0.5, μ = 0.9. b₁ = g₁ undamped, as torch does → θ₁ = [0.95, −1.9, 2.8]
        // b₂ = 0.9·[0.5, −1, 2] + 0.5·[1, 1, −1] = [0.95, −0.4, 1.3] → θ₂ = [0.855, −1.86, 2.67]
        let steps = T.trajectory(SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.5), steps: 2)
        T.expectClose(steps[0], [0.95, -1.9, 2.8])
        T.expectClose(steps[1], [0.855, -1.86, 2.67])
    }

    @Test func nesterov() {
        // μ = 0.9. b₁ = g₁; step direction g₁ + 0.9·b₁ = [0.95, −1.9, 3.8] → θ₁ = [0.905, −1.81, 2.62]
        // b₂ = [1.45, 0.1, 0.8]; g₂ + 0.9·b₂ = [2.305, 1.09, −0.28] → θ₂ = [0.6745, −1.919, 2.648]
        let steps = T.trajectory(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), steps: 2)
        T.expectClose(steps[0], [0.905, -1.81, 2.62])
        T.expectClose(steps[1], [0.6745, -1.919, 2.648])
    }

    @Test func weightDecayIsAddedToTheGradient() {
        // λ = 0.1. d₁ = g₁ + 0.1·θ₀ = [0.6, −1.2, 2.3] → θ₁ = [0.94, −1.88, 2.77]
        // d₂ = g₂ + 0.1·θ₁ = [1.094, 0.812, −0.723] → θ₂ = [0.8306, −1.9612, 2.8423]
        let steps = T.trajectory(SGD(learningRate: 0.1, weightDecay: 0.1), steps: 2)
        T.expectClose(steps[0], [0.94, -1.88, 2.77])
        T.expectClose(steps[1], [0.8306, -1.9612, 2.8423])
    }

    @Test func weightDecayFeedsTheMomentumBuffer() {
        // λ = 0.1, μ = 0.9. b₁ = d₁ = [0.6, −1.2, 2.3] → θ₁ = [0.94, −1.88, 2.77]
        // b₂ = 0.9·b₁ + d₂ = [0.54 + 1.094, −1.08 + 0.812, 2.07 − 0.723] = [1.634, −0.268, 1.347]
        // θ₂ = θ₁ − 0.1·b₂ = [0.7766, −1.8532, 2.6353]
        let steps = T.trajectory(SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1), steps: 2)
        T.expectClose(steps[1], [0.7766, -1.8532, 2.6353])
    }

    @Test func gradientsAreLeftForTheCallerToZero() {
        let parameter = T.parameter()
        parameter.gradient.storage = [1, 2, 3]
        SGD(learningRate: 0.1).step([parameter])
        #expect(parameter.gradient.storage == [1, 2, 3])
    }
}
