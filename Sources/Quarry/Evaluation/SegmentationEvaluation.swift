import Foundation
import Learn

/// A segmenter's evaluation: every image of the subset is segmented at the run's image size, its logits
/// resized to the image's own pixels (`SegmentationDecoder`), and every pixel compared with the image's
/// polygons rasterized there (`SegmentationReport`, the background a class); each image keeps its IoU and
/// its predicted and true masks as runs (`ClassMask`): those same masks, or for an image over
/// `ClassMask.maxSide` a side, the logits decoded and the polygons rasterized again at the size that fits.
/// Polygons of classes the run did not train are left out and counted as skipped.
struct SegmentationEvaluation {
    let service: EvaluationService
    let evaluation: Evaluation
    let run: Run

    func perform() throws -> JobRunner.Ending {
        let request = evaluation.request
        let data = try service.database.read { db in
            try ShapeData.load(projectID: evaluation.projectID, splitIndex: request.splitIndex ?? 0, subset: request.splitSubset,
                               classes: run.classes, on: db)
        }
        let items = SegmentationData.items(data)
        let (blobs, config) = (service.blobs, run.config)
        let classes = ["background"] + run.classes
        // Each image's mask at its own size, and at the kept size where that is smaller.
        let masks = try service.devices.compute(on: request.device ?? .cpu, tf32: config.tf32) { backend -> [(mask: [UInt8], kept: [UInt8]?)] in
            let trained = try TrainedModel.load(run, checkpoint: request.checkpoint, runs: service.runs, on: backend)
            guard let model = trained.model as? Segmenter else { preconditionFailure("a segmentation run builds a segmenter") }
            let stride = model.stride
            let loader = DataLoader(count: items.count, batchSize: request.batchSize, shuffle: false, dropLast: false, seed: config.seed,
                                    workers: RunExecution.workers, prefetch: 2, shape: [3, config.imageSize, config.imageSize]) { index, seed in
                try SegmentationData.example(items[index], blobs: blobs, config: config, stride: stride, training: false, seed: seed)
            }
            var masks: [(mask: [UInt8], kept: [UInt8]?)] = []
            for next in loader.epoch(0) {
                let batch = try next.get()
                let output = trained.inference.forward(backend.upload(batch.images))
                let values = try output.hostValues()
                // Each image at its own size: one row of the batch at a time.
                let plane = output.count / output.shape[0]
                for (row, index) in batch.indices.enumerated() {
                    let (logits, shape) = (Array(values[row * plane..<(row + 1) * plane]), [1] + output.shape.dropFirst())
                    let (item, kept) = (items[index], ClassMask.size(width: items[index].width, height: items[index].height))
                    let mask = SegmentationDecoder().masks(logits, shape: shape, width: item.width, height: item.height)[0]
                    let smaller = kept.width == item.width && kept.height == item.height
                        ? nil : SegmentationDecoder().masks(logits, shape: shape, width: kept.width, height: kept.height)[0]
                    masks.append((mask, smaller))
                }
            }
            return masks
        }
        let truthMasks = items.map { SegmentationData.truth($0, width: $0.width, height: $0.height) }
        let truths = truthMasks.map { $0.map(Int.init) }
        let predictions = masks.map { $0.mask.map(Int.init) }
        let report = SegmentationReport(classes: classes, truths: truths, predictions: predictions)
        let results = items.indices.map { index in
            let (item, kept) = (items[index], ClassMask.size(width: items[index].width, height: items[index].height))
            let truth = masks[index].kept == nil ? truthMasks[index] : SegmentationData.truth(item, width: kept.width, height: kept.height)
            let segmentation = ImageSegmentation(
                truth: truths[index], prediction: predictions[index], classes: classes,
                mask: ClassMask(pixels: masks[index].kept ?? masks[index].mask, width: kept.width, height: kept.height, classes: classes),
                truthMask: ClassMask(pixels: truth, width: kept.width, height: kept.height, classes: classes))
            return EvaluationResult(fileName: ProjectImages.Entry(image: data.items[index].image, className: nil).filename,
                                    segmentation: segmentation, truths: Set(truths[index]).subtracting([0]).map { classes[$0] },
                                    predictions: Set(predictions[index]).subtracting([0]).map { classes[$0] })
        }
        try service.database.write { db in
            try EvaluationStore.complete(evaluation.id, report: .segmentation(report), snapshot: data.snapshot, skipped: data.report.unlisted,
                                         results: results, on: db)
        }
        return .completed
    }
}
