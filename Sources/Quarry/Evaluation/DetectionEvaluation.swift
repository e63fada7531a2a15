import Foundation
import Learn

/// A detector's evaluation: every image of the subset (those without a true box too, where any box found
/// is a false positive) is detected at the run's image size, the boxes scaled back to the image's pixels,
/// and scored as COCOeval scores them (`DetectionReport`); each image's boxes are listed as true and false
/// positives and misses (`ImageDetections`). True boxes of classes the run did not train are left out and
/// counted as skipped.
struct DetectionEvaluation {
    let service: EvaluationService
    let evaluation: Evaluation
    let run: Run

    func perform() throws -> JobRunner.Ending {
        let request = evaluation.request
        let data = try service.database.read { db in
            try ShapeData.load(projectID: evaluation.projectID, splitIndex: request.splitIndex ?? 0, subset: request.splitSubset,
                               classes: run.classes, on: db)
        }
        let items = DetectionData.items(data)
        let (blobs, config) = (service.blobs, run.config)
        let loader = DataLoader(count: items.count, batchSize: request.batchSize, shuffle: false, dropLast: false, seed: config.seed,
                                workers: RunExecution.workers, prefetch: 2, shape: [3, config.imageSize, config.imageSize]) { index, seed in
            try DetectionData.example(items[index], blobs: blobs, config: config, training: false, seed: seed)
        }
        let found = try service.devices.compute(on: request.device ?? .cpu, tf32: config.tf32) { backend -> [[Detection]] in
            let trained = try TrainedModel.load(run, checkpoint: request.checkpoint, runs: service.runs, on: backend)
            guard let model = trained.model as? FCOS else { preconditionFailure("a detection run builds a detector") }
            let decoder = FCOSDecoder(classes: model.classes, stride: model.stride)
            var found: [[Detection]] = []
            for next in loader.epoch(0) {
                let batch = try next.get()
                let output = trained.inference.forward(backend.upload(batch.images))
                found += decoder.decode(try output.hostValues(), shape: output.shape, imageWidth: config.imageSize, imageHeight: config.imageSize)
            }
            return found
        }
        // Back from the model's square to each image's pixels.
        let detections = zip(items, found).map { item, detections in
            detections.map {
                Detection(box: $0.box.scaled(x: Float(item.width) / Float(config.imageSize), y: Float(item.height) / Float(config.imageSize)),
                          score: $0.score)
            }
        }
        let truths = items.map(\.boxes)
        let report = DetectionReport(classes: run.classes, images: Array(items.indices), truths: DetectionReport.boxes(truths),
                                     predictions: DetectionReport.boxes(detections))
        let results = data.items.indices.map { index in
            EvaluationResult(fileName: ProjectImages.Entry(image: data.items[index].image, className: nil).filename,
                             detections: ImageDetections(truths: truths[index], detections: detections[index], classes: run.classes),
                             truths: truths[index].map { run.classes[$0.classIndex] })
        }
        try service.database.write { db in
            try EvaluationStore.complete(evaluation.id, report: .detection(report), snapshot: data.snapshot, skipped: data.report.unlisted,
                                         results: results, on: db)
        }
        return .completed
    }
}
