import Foundation
import Learn

/// A segmenter's evaluation: every image of the subset is segmented at the run's image size, its logits
/// resized to the image's own pixels (`SegmentationDecoder`), and every pixel compared with the image's
/// polygons rasterized there (`SegmentationReport`, the background a class); each image keeps its IoU.
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
        let masks = try service.devices.compute(on: request.device ?? .cpu, tf32: config.tf32) { backend -> [[UInt8]] in
            let trained = try TrainedModel.load(run, checkpoint: request.checkpoint, runs: service.runs, on: backend)
            guard let model = trained.model as? Segmenter else { preconditionFailure("a segmentation run builds a segmenter") }
            let stride = model.stride
            let loader = DataLoader(count: items.count, batchSize: request.batchSize, shuffle: false, dropLast: false, seed: config.seed,
                                    workers: RunExecution.workers, prefetch: 2, shape: [3, config.imageSize, config.imageSize]) { index, seed in
                try SegmentationData.example(items[index], blobs: blobs, config: config, stride: stride, training: false, seed: seed)
            }
            var masks: [[UInt8]] = []
            for next in loader.epoch(0) {
                let batch = try next.get()
                let output = trained.inference.forward(backend.upload(batch.images))
                let values = try output.hostValues()
                // Each image at its own size: one row of the batch at a time.
                let plane = output.count / output.shape[0]
                for (row, index) in batch.indices.enumerated() {
                    masks += SegmentationDecoder().masks(Array(values[row * plane..<(row + 1) * plane]), shape: [1] + output.shape.dropFirst(),
                                                         width: items[index].width, height: items[index].height)
                }
            }
            return masks
        }
        let truths = items.map { SegmentationData.truth($0, width: $0.width, height: $0.height).map(Int.init) }
        let predictions = masks.map { $0.map(Int.init) }
        let report = SegmentationReport(classes: classes, truths: truths, predictions: predictions)
        let results = items.indices.map { index in
            EvaluationResult(fileName: ProjectImages.Entry(image: data.items[index].image, className: nil).filename,
                             segmentation: ImageSegmentation(truth: truths[index], prediction: predictions[index], classes: classes),
                             truths: Set(truths[index]).subtracting([0]).map { classes[$0] },
                             predictions: Set(predictions[index]).subtracting([0]).map { classes[$0] })
        }
        try service.database.write { db in
            try EvaluationStore.complete(evaluation.id, report: .segmentation(report), snapshot: data.snapshot, skipped: data.report.unlisted,
                                         results: results, on: db)
        }
        return .completed
    }
}
