import Foundation
@testable import Quarry
import Testing

/// `Prelabeler`: a finished run's checkpoint named as a project's pre-labeler, refused when it cannot
/// serve, and the predictions it gives a new task: one tag per image, a class of the run's, with its
/// probability as confidence.
@Suite struct PrelabelerTests {
    @Test func aTrainedRunPrelabelsTheProjectsNewTasks() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let run = try fixture.train(try fixture.experiment())
        let (services, account, project) = (fixture.services, fixture.accountID, fixture.projectID)
        // Tasks made before the project has a pre-labeler get nothing from it.
        let assignment = try services.labeling.request(
            AnnotationRequest(projectName: "colours", datasetID: fixture.datasetID, annotatorEmail: "a@example.com",
                              reviewerEmail: "r@example.com", labels: [LabelClass(name: "red", type: .tag), LabelClass(name: "blue", type: .tag)]),
            accountID: account)
        let task = try #require(try services.labeling.tasks(for: assignment.annotator, role: .annotator).first)
        #expect(task.predictions.isEmpty)

        #expect(throws: ProjectError.notFound(project)) {
            try services.prelabeler.set(accountID: fixture.strangerID, projectID: project, runID: run.id)
        }
        let setting = try services.prelabeler.set(accountID: account, projectID: project, runID: run.id, checkpoint: .best)
        #expect(setting == Prelabeler.Setting(runID: run.id, checkpoint: .best, device: .cpu))
        #expect(try services.prelabeler.get(accountID: account, projectID: project) == setting)

        try services.prelabeler.predict(taskID: task.id, setting)
        let predicted = try services.labeling.open(taskID: task.id, worker: assignment.annotator).task
        #expect(predicted.predictions.count == task.imageIDs.count)
        for labels in predicted.predictions {
            let label = try #require(labels.labels.first)
            #expect(labels.labels.count == 1 && label.type == .tag && run.classes.contains(label.label))
            #expect((0.5...1).contains(label.confidence ?? 0), "the arg-max of two classes has at least half")
        }
        try services.prelabeler.clear(accountID: account, projectID: project)
        #expect(try services.prelabeler.get(accountID: account, projectID: project) == nil)
    }

    /// New tasks get a pre-label job in the transaction that makes them, which the job runner runs; one a
    /// dead process left running is queued again at the next start.
    @Test func newTasksArePrelabeledAsJobsAndARestartQueuesTheInterruptedAgain() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let run = try fixture.train(try fixture.experiment())
        let (services, account, project) = (fixture.services, fixture.accountID, fixture.projectID)
        let labels = [LabelClass(name: "red", type: .tag), LabelClass(name: "blue", type: .tag)]
        let before = try services.labeling.request(
            AnnotationRequest(projectName: "colours", datasetID: fixture.datasetID, annotatorEmail: "a@example.com",
                              reviewerEmail: "r@example.com", labels: labels), accountID: account)
        _ = try services.prelabeler.set(accountID: account, projectID: project, runID: run.id)
        let reports = JobReports(services.runs.jobs, kind: .prelabel)

        let added = try services.datasets.create(accountID: account, projectName: "colours", name: "more", license: "",
                                                 files: try TestImages.uploads(3))
        let assignment = try services.labeling.request(
            AnnotationRequest(projectName: "colours", datasetID: added.dataset.id, annotatorEmail: "a@example.com",
                              reviewerEmail: "r@example.com", labels: labels), accountID: account)
        let jobs = try services.database.read { db in
            try db.query("SELECT id, task_id FROM prelabel_jobs ORDER BY task_id").map { (try $0.string("id"), try $0.string("task_id")) }
        }
        #expect(jobs.count == 3 && assignment.tasksCreated == 3)
        for (id, taskID) in jobs {
            #expect(reports.wait(id, .completed), "\(id)")
            #expect(try services.labeling.open(taskID: taskID, worker: assignment.annotator).task.predictions.count == 1)
        }

        // A task from before the pre-labeler, whose job a dead process left running.
        let task = try #require(try services.labeling.tasks(for: before.annotator, role: .annotator).first { $0.predictions.isEmpty })
        let interrupted = try services.database.write { db in
            let id = try #require(try PrelabelJobStore.queue(taskIDs: [task.id], projectID: project, on: db).first)
            try db.run("UPDATE prelabel_jobs SET status = 'running' WHERE id = ?", [id])
            return id
        }
        try services.recoverFromLastProcess()
        #expect(reports.wait(interrupted, .completed))
        #expect(reports.statuses(of: interrupted) == [.running, .completed], "run once, after the restart")
        #expect(try services.labeling.open(taskID: task.id, worker: before.annotator).task.predictions.count == task.imageIDs.count)
    }
}
