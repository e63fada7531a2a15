import Foundation
import Learn
import Storage

/// One evaluation on its queue: rebuilds the run's model from its configuration, loads the
/// checkpoint, classifies every image of the subset whose class the model knows (or detects the boxes
/// of every image, `DetectionEvaluation`), and commits the report and the per-image results together.
struct EvaluationExecution {
    let service: EvaluationService
    let id: String

    private struct Image {
        let item: TrainingData.Item
        let fileName: String
    }

    /// Classifies the subset and commits the report, its results and the completion together; a failure
    /// is thrown for the job runner to record.
    func perform() throws -> JobRunner.Ending {
        defer { Conv2D.releaseScratch() }
        let database = service.database
        guard let evaluation = try database.read({ db in try EvaluationStore.find(id: id, on: db) }) else {
            throw EvaluationError.notFound("evaluation '\(id)'")
        }
        let request = evaluation.request
        guard let run = try database.read({ db in try RunStore.find(id: request.runID, on: db) }) else {
            throw TrainedModelError.runNotFound(request.runID)
        }
        switch run.config.model.task {
        case .detection: return try DetectionEvaluation(service: service, evaluation: evaluation, run: run).perform()
        case .segmentation: return try SegmentationEvaluation(service: service, evaluation: evaluation, run: run).perform()
        case .classification: break
        }
        let (images, skipped) = try database.read { db in try Self.images(evaluation, classes: run.classes, on: db) }

        let (blobs, config) = (service.blobs, run.config)
        let loader = DataLoader(count: images.count, batchSize: request.batchSize, shuffle: false, dropLast: false, seed: config.seed,
                                workers: max(1, ProcessInfo.processInfo.activeProcessorCount - 1), prefetch: 2,
                                shape: [3, config.imageSize, config.imageSize]) { index, seed in
            let item = images[index].item
            return (try TrainingData.example(item, blobs: blobs, config: config, training: false, seed: seed), item.label)
        }
        let device = request.device ?? .cpu
        let scores = try service.devices.compute(on: device, tf32: config.tf32) { backend -> [ClassScores] in
            let model = try TrainedModel.load(run, checkpoint: request.checkpoint, runs: service.runs, on: backend).inference
            var scores: [ClassScores] = []
            for next in loader.epoch(0) {
                let batch = try next.get()
                // The logits come back once per batch: the report needs every class's score.
                let logits = try model.forward(backend.upload(batch.images)).hostValues()
                scores += (0..<batch.labels.count).map { ClassScores(logits[$0 * run.classes.count..<($0 + 1) * run.classes.count]) }
            }
            return scores
        }
        let truths = images.map(\.item.label)
        let results = zip(images, scores).map { image, score in
            EvaluationResult(fileName: image.fileName, groundTruth: run.classes[image.item.label], prediction: run.classes[score.best],
                             confidence: score.probabilities[score.best], loss: -log(max(score.probabilities[image.item.label], .leastNormalMagnitude)))
        }
        let report = ClassificationReport(classes: run.classes, truths: truths, predictions: scores.map(\.best),
                                          inTopFive: zip(truths, scores).map { $1.topFive.contains($0) }, losses: results.map(\.loss))
        let snapshot = TrainingData(classes: run.classes, train: [], validation: images.map(\.item)).snapshot
        try database.write { db in
            try EvaluationStore.complete(id, report: .classification(report), snapshot: snapshot, skipped: skipped, results: results, on: db)
        }
        return .completed
    }

    /// The subset's labeled images in image order, and how many have a class the model was not trained on.
    private static func images(_ evaluation: Evaluation, classes: [String], on db: any Connection) throws -> ([Image], Int) {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var images: [Image] = [], skipped = 0
        for (record, _, className) in try SplitStore.labeledImages(projectID: evaluation.projectID, position: evaluation.request.splitIndex ?? 0,
                                                                  subset: evaluation.request.splitSubset.rawValue, on: db) {
            guard let label = index[className] else {
                skipped += 1
                continue
            }
            // The Studio's own name for the image, unique in the project, which its image URLs take.
            let entry = ProjectImages.Entry(image: record, className: nil)
            images.append(Image(item: TrainingData.Item(blob: record.blob, label: label), fileName: entry.filename))
        }
        return (images, skipped)
    }
}
