import Learn

/// One epoch's figures in the API's names, the same in `GET …/runs/{id}`, `…/metrics` and the `epoch`
/// events of the run's stream, live or replayed.
struct EpochMetricsDocument: Encodable, Sendable {
    let epoch: Int
    let train_loss: Float
    /// A classifier's; a detector or segmenter has no per-image right or wrong and reports `val_map` or
    /// `val_mean_iou` instead.
    let train_accuracy: Float?
    let val_loss: Float?
    let val_accuracy: Float?
    let val_map: Float?
    let val_mean_iou: Float?
    let learning_rate: Float
    let images_per_second: Float
    let epoch_time: Float
    /// On a GPU: device memory held by its allocator at the epoch's end and at most so far, in MiB.
    let gpu_memory_mb: Int?
    let gpu_memory_peak_mb: Int?

    init(_ metrics: EpochMetrics) {
        epoch = metrics.epoch
        train_loss = metrics.trainLoss
        train_accuracy = metrics.trainAccuracy
        val_loss = metrics.validationLoss
        val_accuracy = metrics.validationAccuracy
        val_map = metrics.validationMAP
        val_mean_iou = metrics.validationMeanIoU
        learning_rate = metrics.learningRate
        images_per_second = metrics.imagesPerSecond
        epoch_time = metrics.seconds
        gpu_memory_mb = metrics.deviceMemoryBytes.map { ($0 + (1 << 20) - 1) >> 20 }
        gpu_memory_peak_mb = metrics.deviceMemoryPeakBytes.map { ($0 + (1 << 20) - 1) >> 20 }
    }
}
