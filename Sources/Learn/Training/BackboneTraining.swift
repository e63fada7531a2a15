/// How a pretrained backbone trains beside a new head: not at all for its first `frozenEpochs` (the head
/// learns to read features that stay put, instead of its first random gradients wrecking them), then at the
/// schedule's rate times `learningRateScale`, usually below 1 so the features move less than the head.
/// Applied to every replica's parameters at the start of each epoch, a resumed run's included.
public struct BackboneTraining: Sendable, Codable, Equatable {
    /// Positions of the backbone's parameters in the model's `parameters`.
    public let parameters: [Int]
    public let learningRateScale: Float
    public let frozenEpochs: Int

    public init(parameters: [Int], learningRateScale: Float, frozenEpochs: Int) {
        precondition(learningRateScale >= 0 && frozenEpochs >= 0, "a backbone's rate scale and frozen epochs are not negative")
        (self.parameters, self.learningRateScale, self.frozenEpochs) = (parameters, learningRateScale, frozenEpochs)
    }

    /// Sets the scale of the backbone's parameters among `all` (a model's `parameters`) for `epoch`.
    public func apply(to all: [Parameter], epoch: Int) {
        for index in parameters { all[index].learningRateScale = epoch < frozenEpochs ? 0 : learningRateScale }
    }
}
