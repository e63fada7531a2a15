import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Testing

/// `LabelingService` through a JTheta annotation request: one task per image for the annotator, drafts,
/// submission to the reviewer, a rejection back with its comment, approval, and the approved labels read
/// back; each worker only in their own role, and labels checked against the project's classes.
@Suite struct LabelingServiceTests {
    @Test func aTaskGoesFromAnnotatorToReviewerAndBack() throws {
        try withServices("quarry-labeling") { services in
            let account = try services.accounts.create(name: "labels").account.id
            _ = try services.projects.create(accountID: account, name: "pets")
            let pixels = [UInt8](repeating: 90, count: 4 * 4 * 3)
            let files = try (0..<2).map { IncomingFile(fileName: "\($0).png", source: .bytes(try ImageEncoder.png(Bitmap(width: 4, height: 4, channels: 3, pixels: pixels)))) }
            let dataset = try services.datasets.create(accountID: account, projectName: "pets", name: "two", license: "", files: files)
            let classes = [LabelClass(name: "cat", type: .tag), LabelClass(name: "dog", type: .tag)]
            let assignment = try services.labeling.request(
                AnnotationRequest(projectName: "pets", datasetID: dataset.dataset.id, annotatorEmail: "a@example.com",
                                  reviewerEmail: "r@example.com", labels: classes), accountID: account)
            #expect(assignment.tasksCreated == 2 && assignment.newTokens.count == 2)
            let (annotator, reviewer) = (assignment.annotator, assignment.reviewer)
            let labeling = services.labeling

            let tasks = try labeling.tasks(for: annotator, role: .annotator)
            #expect(tasks.count == 2 && tasks.allSatisfy { $0.status == .new })
            let task = tasks[0]
            let image = try #require(task.imageIDs.first)
            let cat = [ImageLabels(imageID: image, labels: [Label(label: "cat", type: .tag)])]
            #expect(try labeling.saveDraft(taskID: task.id, worker: annotator, labels: cat).status == .progress)
            #expect(throws: LabelingError.self) {
                try labeling.submit(taskID: task.id, worker: annotator, labels: [ImageLabels(imageID: image, labels: [Label(label: "horse", type: .tag)])])
            }
            #expect(throws: LabelingError.self) { try labeling.submit(taskID: task.id, worker: reviewer, labels: cat) }
            #expect(try labeling.submit(taskID: task.id, worker: annotator, labels: cat).status == .review)
            #expect(try labeling.tasks(for: reviewer, role: .reviewer).map(\.id) == [task.id])

            let rejected = try labeling.review(taskID: task.id, worker: reviewer, approve: false, comment: "it is a dog")
            #expect(rejected.status == .progress && rejected.reviewComment == "it is a dog")
            let dog = [ImageLabels(imageID: image, labels: [Label(label: "dog", type: .tag)])]
            _ = try labeling.submit(taskID: task.id, worker: annotator, labels: dog)
            #expect(throws: LabelingError.self) { try labeling.review(taskID: task.id, worker: annotator, approve: true, comment: nil) }
            #expect(try labeling.review(taskID: task.id, worker: reviewer, approve: true, comment: nil).status == .done)
            #expect(try labeling.approvedLabels(imageID: image) == [Label(label: "dog", type: .tag)])
            #expect(throws: LabelingError.self) { try labeling.review(taskID: task.id, worker: reviewer, approve: false, comment: nil) }
            #expect(try labeling.tasks(for: annotator, role: .annotator).map(\.id) == [tasks[1].id])
        }
    }
}
