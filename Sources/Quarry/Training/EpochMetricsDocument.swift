import Learn

/// One epoch's figures in the API's names, the same in `GET …/runs/{id}`, `…/metrics` and the `epoch`
/// events of the run's stream, live or replayed.
public struct EpochMetricsDocument: Encodable, Sendable {
    let epoch: Int
    let train_loss: Float
    let train_accuracy: Float
    let val_loss: Float?
    let val_accuracy: Float?
    let learning_rate: Float
    let images_per_second: Float
    let epoch_time: Float

    public init(_ metrics: EpochMetrics) {
        epoch = metrics.epoch
        train_loss = metrics.trainLoss
        train_accuracy = metrics.trainAccuracy
        val_loss = metrics.validationLoss
        val_accuracy = metrics.validationAccuracy
        learning_rate = metrics.learningRate
        images_per_second = metrics.imagesPerSecond
        epoch_time = metrics.seconds
    }
}
