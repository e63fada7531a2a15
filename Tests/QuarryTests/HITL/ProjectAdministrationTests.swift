@testable import Quarry
import Testing

/// `ProjectAdministration.setStatus`: an administrator activates any account's HITL project, naming
/// the workers its jobs go to, or deactivates it; a refused change leaves the project as it was.
@Suite struct ProjectAdministrationTests {
    @Test func activationMakesTheNamedWorkersInTheProjectsAccountAndGivesThemNewJobs() throws {
        let fixture = try HITLFixture()
        let administration = fixture.services.administration
        let project = try fixture.newProject()
        let activated = try administration.setStatus(projectID: project.id, status: .active, annotator: "Ann@HITL.io", reviewer: "rev@hitl.io")
        #expect(activated.status == .active && activated.id == project.id)
        #expect(try fixture.services.projects.find(accountID: fixture.accountID, id: project.id).status == .active)
        #expect(try fixture.services.workers.list(accountID: fixture.accountID).map(\.email).sorted() == ["ann@hitl.io", "rev@hitl.io"])
        #expect(try fixture.services.workers.list(accountID: fixture.strangerID).isEmpty)

        let job = try fixture.read(try fixture.job(in: project.id), in: project.id)
        #expect(job.task.annotatorID == (try fixture.worker("ann@hitl.io")).id)
        #expect(job.task.reviewerID == (try fixture.worker("rev@hitl.io")).id)
    }

    @Test func jobsThatArrivedWithNobodyToWorkOnThemGoToTheWorkersNamedLater() throws {
        let fixture = try HITLFixture()
        let administration = fixture.services.administration
        let project = try fixture.newProject()
        _ = try administration.setStatus(projectID: project.id, status: .active)
        let waiting = try fixture.job(in: project.id)
        let canceled = try fixture.job(in: project.id)
        _ = try fixture.services.hitl.cancel(accountID: fixture.accountID, projectID: project.id, jobID: canceled)
        let task = { (id: String) in try fixture.read(id, in: project.id).task }
        #expect(try task(waiting).annotatorID == nil && task(waiting).reviewerID == nil)

        _ = try administration.setStatus(projectID: project.id, status: .active, annotator: "ann@hitl.io")
        let annotator = try fixture.worker("ann@hitl.io")
        #expect(try task(waiting).annotatorID == annotator.id)
        // Finished work is not handed out.
        #expect(try task(canceled).annotatorID == nil)

        // A job handed in before any reviewer was named waits for one, and goes to the first named.
        try fixture.submit(waiting)
        #expect(try task(waiting).status == .review && task(waiting).reviewerID == nil)
        _ = try administration.setStatus(projectID: project.id, status: .active, reviewer: "rev@hitl.io")
        #expect(try task(waiting).reviewerID == (try fixture.worker("rev@hitl.io")).id)

        // Naming another annotator changes where new jobs go, not who holds the old ones.
        _ = try administration.setStatus(projectID: project.id, status: .active, annotator: "second@hitl.io")
        #expect(try task(waiting).annotatorID == annotator.id)
        #expect(try task(try fixture.job(in: project.id)).annotatorID == (try fixture.worker("second@hitl.io")).id)
    }

    @Test func anUnknownProjectOrABadWorkerEmailIsRefusedAndChangesNothing() throws {
        let fixture = try HITLFixture()
        let administration = fixture.services.administration
        #expect(throws: ProjectError.notFound("proj-missing")) { try administration.setStatus(projectID: "proj-missing", status: .active) }

        let project = try fixture.newProject()
        #expect(throws: WorkerError.invalidEmail("not-an-email")) {
            try administration.setStatus(projectID: project.id, status: .active, annotator: "ann@hitl.io", reviewer: "not-an-email")
        }
        #expect(try fixture.services.projects.find(accountID: fixture.accountID, id: project.id).status == .new)
        #expect(try fixture.services.workers.list(accountID: fixture.accountID).isEmpty)
    }

    @Test func deactivationStopsNewJobsAndKeepsTheOnesTaken() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let id = try fixture.job(in: project.id)
        let deactivated = try fixture.services.administration.setStatus(projectID: project.id, status: .inactive)
        #expect(deactivated.status == .inactive)
        #expect(throws: HITLError.projectNotActive(id: project.id, status: .inactive)) { try fixture.job(in: project.id) }
        let job = try fixture.read(id, in: project.id)
        #expect(job.task.status == .new)
        #expect(job.task.annotatorID == (try fixture.worker("ann@hitl.io")).id)
    }
}
