/// One model, built alike for several devices, training as one: every batch is cut into consecutive
/// slices, one per replica, each replica computes its slice on its own thread, and the replicas meet in
/// a `ReplicaGroup` to add up what one device would have computed over the whole batch (batch norm's
/// statistics and sums, the loss, the gradients), so that each applies the same update and the
/// weights stay identical everywhere. Dropout masks continue across slices. The result equals one
/// device's with the same global batch, up to the order of additions.
///
/// The sums go through host memory: two devices exchange the gradients of every step over PCIe rather
/// than by peer copies, which is simple and works on any pair of cards but costs a transfer of every
/// gradient each way per step (docs/gpu.md).
public struct Replica {
    public let model: any Layer
    public let optimizer: any Optimizer
    public let backend: any Backend

    public init(model: any Layer, optimizer: any Optimizer, backend: any Backend) {
        (self.model, self.optimizer, self.backend) = (model, optimizer, backend)
    }
}

enum DataParallel {
    /// A step's loss and correct count over the whole batch; a non-finite loss returns before backward.
    struct Outcome {
        let loss: Float
        let correct: Int
    }

    /// One training step of `replicas` on `images` (a host batch) and `labels`, the learning rate set.
    /// `input` puts a replica's slice on its device. Throws the first replica's failure.
    static func step(_ replicas: [Replica], images: Tensor, labels: [Int], configuration: TrainingConfiguration,
                     input: (Replica, Tensor) -> Tensor) throws -> Outcome {
        let batch = labels.count
        // Never more slices than samples; replicas left without one apply the others' sums.
        let active = min(replicas.count, batch)
        let bounds = (0...active).map { batch * $0 / active }
        let group = ReplicaGroup(size: active)
        var slices: [(input: Tensor, labels: [Int])] = []
        for index in 0..<active {
            let replica = replicas[index]
            for layer in ParameterNaming.statefulLayers(replica.model) {
                (layer as? BatchNorm2DLayer)?.replicas = group.member(index)
                (layer as? Dropout)?.sampleOffset = bounds[index]
            }
            let rows = bounds[index]..<bounds[index + 1]
            slices.append((input(replica, images.rows(rows)), Array(labels[rows])))
        }
        let work = Shared((replicas, slices))
        let parts = group.run { index in
            let (replicas, slices) = work.value
            return compute(replicas[index], slices[index].input, slices[index].labels, batchSize: batch, group.member(index),
                           configuration: configuration)
        }
        for replica in replicas { detach(replica.model) }
        let failures = parts.compactMap(\.failure)
        if let failure = failures.first(where: { !($0 is ReplicaFailure) }) ?? failures.first { throw failure }
        let outcome = parts[0].outcome
        guard outcome.loss.isFinite else { return outcome }
        for replica in replicas[active...] {
            apply(parts[0].gradients, to: replica, configuration: configuration)
            try copyState(from: replicas[0], to: replica)
        }
        if let failure = parts.lazy.compactMap(\.update).first { throw failure }
        return outcome
    }

    /// What one active replica's thread hands back.
    private struct Part: @unchecked Sendable {
        var outcome = Outcome(loss: .nan, correct: 0)
        /// A failure before the update, which every replica learns of at the next sum.
        var failure: (any Error)?
        /// The whole batch's gradients, every parameter's in order, for replicas that had no slice.
        var gradients: [Float] = []
        /// A failure of the update itself, after the last sum.
        var update: (any Error)?
    }

    /// Forward, loss and backward of one slice, the sums across replicas, and the update. Every active
    /// replica passes the same sums in the same order whatever fails, so none is left waiting.
    private static func compute(_ replica: Replica, _ images: Tensor, _ labels: [Int], batchSize: Int,
                                _ member: ReplicaGroup.Member, configuration: TrainingConfiguration) -> Part {
        let (model, backend) = (replica.model, replica.backend)
        let parameters = model.parameters
        for parameter in parameters { backend.zero(&parameter.gradient) }
        var part = Part()
        let result = backend.softmaxCrossEntropy(model.forward(images, training: true), labels: labels,
                                                 labelSmoothing: configuration.labelSmoothing, batchSize: batchSize)
        part.failure = failure { try backend.synchronize() }
        let totals = member.sum([Double(result.loss) * Double(labels.count), Double(result.correct), part.failure == nil ? 0 : 1])
        part.outcome = Outcome(loss: Float(totals[0] / Double(batchSize)), correct: Int(totals[1]))
        if totals[2] > 0 {
            part.failure = part.failure ?? ReplicaFailure()
            return part
        }
        guard part.outcome.loss.isFinite else { return part }
        model.accumulateGradients(result.gradient)
        let count = parameters.reduce(0) { $0 + $1.gradient.count }
        var local: [Float] = []
        local.reserveCapacity(count + 1)
        part.failure = failure {
            for parameter in parameters { local += try parameter.gradient.hostValues() }
        }
        if part.failure != nil { local = Array(repeating: 0, count: count) }
        local.append(part.failure == nil ? 0 : 1)
        var summed = member.sum(local)
        if summed.removeLast() > 0 {
            part.failure = part.failure ?? ReplicaFailure()
            return part
        }
        apply(summed, to: replica, configuration: configuration)
        part.gradients = member.index == 0 ? summed : []
        part.update = failure { try backend.synchronize() }
        return part
    }

    /// Sets every parameter's gradient to its part of `gradients`, then clips and steps as one device would.
    private static func apply(_ gradients: [Float], to replica: Replica, configuration: TrainingConfiguration) {
        var offset = 0
        let parameters = replica.model.parameters
        for parameter in parameters {
            let count = parameter.gradient.count
            parameter.gradient = replica.backend.upload(
                Tensor(shape: parameter.gradient.shape, storage: Array(gradients[offset..<offset + count])))
            offset += count
        }
        if let maxNorm = configuration.gradientClipNorm { replica.backend.clipGradientNorm(parameters, maxNorm: maxNorm) }
        replica.optimizer.step(parameters)
    }

    /// Gives a replica that had no slice what the step changed beside the weights: batch norms'
    /// running statistics and dropout's random streams.
    private static func copyState(from source: Replica, to target: Replica) throws {
        for (from, to) in zip(ParameterNaming.statefulLayers(source.model), ParameterNaming.statefulLayers(target.model)) {
            to.buffers = try zip(from.buffers, to.buffers).map { ($1.name, $1.tensor.replacingValues(try $0.tensor.hostValues())) }
        }
    }

    /// Takes a model out of its group, so that it trains alone again.
    private static func detach(_ model: any Layer) {
        for layer in ParameterNaming.statefulLayers(model) {
            (layer as? BatchNorm2DLayer)?.replicas = nil
            (layer as? Dropout)?.sampleOffset = 0
        }
    }

    private static func failure(_ body: () throws -> Void) -> (any Error)? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

/// Hands values that are not `Sendable` to the replicas' threads, which only read them.
private struct Shared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Stands for another replica's failure on a replica that did not fail itself; never thrown while the
/// failed replica's own error is at hand.
struct ReplicaFailure: Error {}

extension Tensor {
    /// Rows `range` of the first dimension, as a host tensor.
    func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of \(shape)")
        let perRow = shape[0] == 0 ? 0 : count / shape[0]
        return Tensor(shape: [range.count] + shape.dropFirst(), storage: Array(storage[range.lowerBound * perRow..<range.upperBound * perRow]))
    }
}
