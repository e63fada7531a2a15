import Foundation
import Learn
import Testing

/// Five steps against torch itself, when a python3 with torch is on the PATH; skipped otherwise.
/// The learning rate changes every step to check that both read it afresh.
@Suite(.enabled(if: TorchReference.isAvailable, "needs python3 with torch"))
struct OptimizerTorchTests {
    static let initial = (0..<16).map { Float(sin(Double($0) * 1.7)) * 2 }
    static let gradients = (0..<5).map { step in (0..<16).map { Float(cos(Double($0 * 3 + step) * 0.9)) } }
    static let learningRates: [Float] = [0.1, 0.05, 0.2, 0.01, 0.1]

    static func run(_ optimizer: some Optimizer) -> [[Float]] {
        let parameter = Parameter(name: "weight", value: Tensor(shape: [16], storage: initial))
        return zip(gradients, learningRates).map { gradient, rate in
            parameter.gradient.storage = gradient
            optimizer.learningRate = rate
            optimizer.step([parameter])
            return parameter.value.storage
        }
    }

    static func compare(_ optimizer: some Optimizer, torch constructor: String) throws {
        let expected = try TorchReference.trajectory(constructor: constructor, initial: initial,
                                                     gradients: gradients, learningRates: learningRates)
        for (actual, reference) in zip(run(optimizer), expected) {
            OptimizerTesting.expectClose(actual, reference, tolerance: 1e-5)
        }
    }

    @Test(arguments: [(0, 0, false, 0), (0.9, 0, false, 0), (0.9, 0.3, false, 0.01), (0.9, 0, true, 0.05)] as [(Float, Float, Bool, Float)])
    func sgd(momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float) throws {
        try Self.compare(
            SGD(learningRate: 0.1, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: weightDecay),
            torch: "torch.optim.SGD([p], lr=0.1, momentum=\(momentum), dampening=\(dampening), nesterov=\(nesterov ? "True" : "False"), weight_decay=\(weightDecay))")
    }

    @Test func adamW() throws {
        try Self.compare(AdamW(learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1),
                         torch: "torch.optim.AdamW([p], lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)")
    }
}

/// Runs torch in a python3 subprocess; the data goes in and out as JSON.
enum TorchReference {
    static let isAvailable = (try? python("import torch")) != nil

    static let script = """
        import json, sys, torch
        data = json.loads(sys.stdin.read())
        p = torch.nn.Parameter(torch.tensor(data["initial"], dtype=torch.float32))
        opt = eval(data["constructor"])
        out = []
        for g, lr in zip(data["gradients"], data["learningRates"]):
            for group in opt.param_groups:
                group["lr"] = lr
            p.grad = torch.tensor(g, dtype=torch.float32)
            opt.step()
            out.append(p.detach().tolist())
        print(json.dumps(out))
        """

    struct Input: Encodable {
        var constructor: String
        var initial: [Float]
        var gradients: [[Float]]
        var learningRates: [Float]
    }

    static func trajectory(constructor: String, initial: [Float], gradients: [[Float]], learningRates: [Float]) throws -> [[Float]] {
        let input = Input(constructor: constructor, initial: initial, gradients: gradients, learningRates: learningRates)
        let output = try python(script, stdin: JSONEncoder().encode(input))
        return try JSONDecoder().decode([[Float]].self, from: output)
    }

    struct Failed: Error { var status: Int32 }

    /// Stdout of `python3 -c code arguments…`; throws when it exits with an error.
    static func python(_ code: String, arguments: [String] = [], stdin: Data = Data()) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code] + arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(status: process.terminationStatus) }
        return data
    }
}
