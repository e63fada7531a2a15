import Learn
import Testing

/// Hand-computed steps of torch.optim.AdamW's documented algorithm with γ = 0.1, β = (0.9, 0.999),
/// ε = 1e-8, λ = 0.01, from θ₀ = [1, −2, 3] with g₁ = [0.5, −1, 2], g₂ = [1, 1, −1], g₃ = [0, 2, 0.5].
struct OptimizerAdamWTests {
    typealias T = OptimizerTesting

    @Test func threeSteps() {
        // Step 1: decay θ ← θ·(1 − γλ) = θ·0.999 = [0.999, −1.998, 2.997].
        //   m = 0.1·g₁, v = 0.001·g₁²; m̂ = m / 0.1 = g₁, v̂ = v / 0.001 = g₁², so the update is
        //   γ·g₁ / (|g₁| + ε) ≈ 0.1·sign(g₁) → θ₁ = [0.899, −1.898, 2.897].
        // Step 2: decay → [0.898101, −1.896102, 2.894103].
        //   m = 0.9·m + 0.1·g₂ = [0.145, 0.01, 0.08]; v = 0.999·v + 0.001·g₂² = [0.00124975, 0.001999, 0.004996]
        //   1 − β₁² = 0.19, 1 − β₂² = 0.001999 → m̂ = [0.763158, 0.052632, 0.421053], v̂ = [0.625188, 1, 2.499250]
        //   update γ·m̂ / (√v̂ + ε) = [0.096518, 0.005263, 0.026634] → θ₂ = [0.8015828, −1.9013652, 2.8674693]
        // Step 3: decay → [0.8007812, −1.8994638, 2.8646018].
        //   m = [0.1305, 0.209, 0.122]; v = [0.0012485, 0.005997, 0.005241]
        //   1 − β₁³ = 0.271, 1 − β₂³ = 0.002997001 → m̂ = [0.481550, 0.771218, 0.450185], v̂ = [0.416583, 2.001001, 1.748749]
        //   update = [0.074609, 0.054520, 0.034043] → θ₃ = [0.7261724, −1.9539835, 2.8305589]
        let steps = T.trajectory(AdamW(learningRate: 0.1), steps: 3)
        T.expectClose(steps[0], [0.899, -1.898, 2.897])
        T.expectClose(steps[1], [0.8015828, -1.9013652, 2.8674693])
        T.expectClose(steps[2], [0.7261724, -1.9539835, 2.8305589])
    }

    @Test func decayIsDecoupledFromTheGradient() {
        // With a zero gradient m and v stay 0, so only the decay moves θ: θ·(1 − 0.1·0.5) per step.
        let parameter = T.parameter()
        let optimizer = AdamW(learningRate: 0.1, weightDecay: 0.5)
        optimizer.step([parameter])
        optimizer.step([parameter])
        T.expectClose(parameter.value.storage, [1, -2, 3].map { $0 * 0.95 * 0.95 })
    }

    @Test func stateCountsStepsAndNamesItsBuffers() throws {
        let optimizer = AdamW(learningRate: 0.1)
        #expect(try optimizer.savedState() == OptimizerState())
        _ = T.trajectory(optimizer, steps: 2)
        let state = try optimizer.savedState()
        #expect(state.step == 2)
        #expect(Set(state.buffers.keys) == ["exp_avg", "exp_avg_sq"])
        T.expectClose(state.buffers["exp_avg"]?.first ?? [], [0.145, 0.01, 0.08])
        T.expectClose(state.buffers["exp_avg_sq"]?.first ?? [], [0.00124975, 0.001999, 0.004996])
    }
}
