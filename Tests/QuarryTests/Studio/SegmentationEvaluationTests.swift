import Foundation
@testable import Quarry
import Storage
import Testing

/// A segmenter's evaluation keeps each image's predicted and true masks: decoded, the true mask is the
/// image's polygons rasterized, and the two masks give back the IoU the result reports, class by class.
@Suite struct SegmentationEvaluationTests {
    @Test func eachImagesMasksGiveItsReportedIoU() throws {
        let fixture = try StudioFixture(imagesPerClass: 4)
        let (services, account, project) = (fixture.services, fixture.accountID, fixture.projectID)
        _ = try services.projects.update(accountID: account, id: project, name: nil, task: .segmentation)
        _ = try fixture.split()
        // Every 8 × 8 image: a triangle of cat at the top left, a square of dog at the bottom right.
        let polygons: [(String, [[Double]])] = [("cat", [[0.5, 0.5], [6, 0.5], [0.5, 6]]), ("dog", [[4, 4], [8, 4], [8, 8], [4, 8]])]
        let images = try services.database.read { db in
            try [SplitSubset.train, .val].flatMap { try ShapeData.load(projectID: project, splitIndex: 0, subset: $0, on: db).items.map(\.image) }
        }
        #expect(images.count == 8)
        let now = Timestamp.now()
        try services.database.write { db in
            for image in images {
                try TaskStore.insert(LabelTask(id: ID.make("job"), projectID: project, source: .imported, status: .done, annotatorID: nil,
                                               reviewerID: nil, imageIDs: [image.id], predictions: [],
                                               annotations: [ImageLabels(imageID: image.id, labels: polygons.map { .polygon($0, $1) })],
                                               draft: nil, reviewComment: nil, createdAt: now, updatedAt: now, startedAt: nil,
                                               submittedAt: nil, finishedAt: now), on: db)
            }
        }
        var config = ExperimentConfig(name: "segmenter")
        (config.model, config.imageSize, config.width, config.epochs, config.batchSize) = (.segResNet18, 64, 0.25, 1, 4)
        let experiment = try services.experiments.create(accountID: account, projectID: project, config: config)
        let run = try fixture.train(experiment)
        #expect(run.status == .completed && run.classes == ["cat", "dog"], "\(run)")

        var request = EvaluationRequest(experimentID: experiment.id, runID: run.id)
        request.splitSubset = .train
        let created = try services.evaluations.create(accountID: account, projectID: project, request: request)
        #expect(JobReports(services.runs.jobs, kind: .evaluation).wait(created.id, until: { !$0.isActive }) == .completed)
        let (results, total) = try services.evaluations.results(accountID: account, projectID: project, id: created.id, query: EvaluationResultQuery())
        #expect(total > 0 && results.count == total)

        let classes = ["background", "cat", "dog"]
        let truth = SegmentationData.mask(polygons.enumerated().map { ($0.offset, $0.element.1) }, width: 8, height: 8, scaleX: 1, scaleY: 1)
        #expect(Set(truth) == [0, 1, 2])
        for result in results {
            guard case .segmentation(let segmentation) = result.details else { Issue.record("no segmentation: \(result)"); continue }
            let mask = try #require(segmentation.mask), truthMask = try #require(segmentation.truthMask)
            #expect((mask.width, mask.height, mask.classes) == (8, 8, classes) && (truthMask.width, truthMask.height) == (8, 8))
            let predicted = try #require(mask.pixels)
            #expect(truthMask.pixels == truth)
            // Each class's IoU, from the decoded pixels alone; the image's is the mean of those present.
            var ious: [String: Double] = [:]
            for (index, name) in classes.enumerated() {
                let both = zip(truth, predicted).filter { $0 == index && $1 == index }.count
                let either = zip(truth, predicted).filter { $0 == index || $1 == index }.count
                if either > 0 { ious[name] = Double(both) / Double(either) }
            }
            #expect(ious == segmentation.classIoU, "\(result.fileName)")
            #expect(abs(ious.values.reduce(0, +) / Double(ious.count) - segmentation.iou) < 1e-12, "\(result.fileName)")
            let found = Set(predicted.filter { $0 > 0 }.map { classes[Int($0)] })
            #expect(result.prediction == found.sorted().joined(separator: ", "))
        }
    }
}
