@testable import Quarry
import Testing

/// `ProjectService`: projects made, found, listed, summarized, updated and deleted within one account,
/// their names checked, and their label classes merged.
@Suite struct ProjectServiceTests {
    @Test func aProjectIsCreatedFoundAndListedInItsAccount() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let pets = try services.projects.create(accountID: account, name: "  pets  ", category: "animals", task: .detection)
            #expect(pets.name == "pets" && pets.category == "animals" && pets.task == .detection && pets.status == .active)
            #expect(pets.accountID == account && pets.id.hasPrefix("proj-"))
            #expect(!pets.allowClassCreation && !pets.autoAnnotation)
            let hitl = try services.projects.create(accountID: account, name: "queue", status: .new)
            #expect(hitl.task == .classification && hitl.status == .new)

            #expect(try services.projects.find(accountID: account, id: pets.id) == pets)
            #expect(try services.projects.find(accountID: account, name: "pets") == pets)
            // Listed by creation time, to the millisecond: two made within one may come in either order.
            #expect(try Set(services.projects.list(accountID: account).map(\.id)) == [pets.id, hitl.id])
            #expect(throws: ProjectError.notFound("ghost")) { try services.projects.find(accountID: account, name: "ghost") }
            #expect(throws: ProjectError.notFound("proj-ghost")) { try services.projects.find(accountID: account, id: "proj-ghost") }
        }
    }

    @Test func aSummaryCountsTheImagesOfEveryDatasetAndListsTheClasses() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let pets = try services.projects.create(accountID: account, name: "pets")
            #expect(try services.projects.summary(accountID: account, id: pets.id).imageCount == 0)
            _ = try services.datasets.create(accountID: account, projectName: "pets", name: "one", license: "", files: TestImages.uploads(2))
            _ = try services.datasets.create(accountID: account, projectName: "pets", name: "two", license: "", files: TestImages.uploads(3, from: 2))
            let classes = [LabelClass(name: "cat", type: .tag), LabelClass(name: "dog", type: .tag)]
            try services.database.write { db in try ProjectService.merge(classes, into: pets.id, on: db) }

            let summary = try services.projects.summary(accountID: account, id: pets.id)
            #expect(summary.project == pets && summary.imageCount == 5 && summary.classes == classes)
            let empty = try services.projects.create(accountID: account, name: "empty")
            #expect(try Set(services.projects.summaries(accountID: account).map { "\($0.project.name) \($0.imageCount)" }) == ["pets 5", "empty 0"])
            #expect(try services.projects.summary(accountID: account, id: empty.id).classes.isEmpty)
        }
    }

    @Test func namesAreCheckedAndUniqueWithinAnAccount() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let projects = services.projects
            _ = try projects.create(accountID: account, name: "pets")
            #expect(throws: ProjectError.nameTaken("pets")) { try projects.create(accountID: account, name: " pets ") }
            #expect(throws: ProjectError.invalid(field: "project name", reason: "must not be empty")) {
                try projects.create(accountID: account, name: " \n ")
            }
            #expect(throws: ProjectError.invalid(field: "project name", reason: "is longer than 200 characters")) {
                try projects.create(accountID: account, name: String(repeating: "p", count: 201))
            }
            // Free text may hold tabs and line breaks; a name, shown on one line, holds no control character at all.
            for name in ["pe\u{0}ts", "pe\nts", "pe\tts", "pe\rts"] {
                #expect(throws: ProjectError.invalid(field: "project name", reason: "contains control characters")) {
                    try projects.create(accountID: account, name: name)
                }
            }
            #expect(throws: ProjectError.invalid(field: "project category", reason: "is longer than 200 characters")) {
                try projects.create(accountID: account, name: "long", category: String(repeating: "c", count: 201))
            }
            #expect(try projects.create(accountID: account, name: String(repeating: "p", count: 200)).name.count == 200)
            // Names are unique per account only: another account may use the same one.
            #expect(try projects.create(accountID: try services.newAccount("other"), name: "pets").name == "pets")
            #expect(try projects.list(accountID: account).count == 2)
        }
    }

    @Test func anUpdateRenamesOrChangesTheTaskAndLeavesWhatItIsNotGiven() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let projects = services.projects
            let pets = try projects.create(accountID: account, name: "pets", category: "animals")
            _ = try projects.create(accountID: account, name: "taken")

            let retasked = try projects.update(accountID: account, id: pets.id, name: nil, task: .segmentation)
            #expect(retasked.name == "pets" && retasked.task == .segmentation && retasked.category == "animals")
            let renamed = try projects.update(accountID: account, id: pets.id, name: " animals ", task: nil)
            #expect(renamed.name == "animals" && renamed.task == .segmentation)
            #expect(try projects.find(accountID: account, id: pets.id) == renamed)

            #expect(throws: ProjectError.nameTaken("taken")) { try projects.update(accountID: account, id: pets.id, name: "taken", task: nil) }
            #expect(throws: ProjectError.invalid(field: "name", reason: "must not be empty")) {
                try projects.update(accountID: account, id: pets.id, name: "", task: nil)
            }
            #expect(throws: ProjectError.notFound("proj-ghost")) { try projects.update(accountID: account, id: "proj-ghost", name: "x", task: nil) }
            #expect(try projects.find(accountID: account, id: pets.id) == renamed)
        }
    }

    @Test func deletingAProjectTakesItsDatasetsImagesAndClasses() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let pets = try services.projects.create(accountID: account, name: "pets")
            let kept = try services.projects.create(accountID: account, name: "kept")
            let dataset = try services.datasets.create(accountID: account, projectName: "pets", name: "one", license: "",
                                                       files: TestImages.uploads(2)).dataset
            _ = try services.datasets.create(accountID: account, projectName: "kept", name: "one", license: "", files: TestImages.uploads(1, from: 5))
            try services.database.write { db in try ProjectService.merge([LabelClass(name: "cat", type: .tag)], into: pets.id, on: db) }

            try services.projects.delete(accountID: account, name: "pets")
            #expect(throws: ProjectError.notFound(pets.id)) { try services.projects.find(accountID: account, id: pets.id) }
            #expect(throws: DatasetError.notFound(dataset.id)) { try services.datasets.images(accountID: account, datasetID: dataset.id) }
            #expect(try services.projects.classes(projectID: pets.id).isEmpty)
            #expect(try services.rowCount("images") == 1)
            #expect(throws: ProjectError.notFound("pets")) { try services.projects.delete(accountID: account, name: "pets") }

            try services.projects.delete(accountID: account, id: kept.id)
            #expect(try services.projects.list(accountID: account).isEmpty)
            #expect(try services.rowCount("images") == 0 && services.rowCount("datasets") == 0)
            #expect(throws: ProjectError.notFound(kept.id)) { try services.projects.delete(accountID: account, id: kept.id) }
        }
    }

    @Test func anotherAccountsProjectIsAbsent() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let stranger = try services.newAccount("stranger")
            let projects = services.projects
            let pets = try projects.create(accountID: account, name: "pets")

            #expect(throws: ProjectError.notFound(pets.id)) { try projects.find(accountID: stranger, id: pets.id) }
            #expect(throws: ProjectError.notFound("pets")) { try projects.find(accountID: stranger, name: "pets") }
            #expect(try projects.list(accountID: stranger).isEmpty && projects.summaries(accountID: stranger).isEmpty)
            #expect(throws: ProjectError.notFound(pets.id)) { try projects.summary(accountID: stranger, id: pets.id) }
            #expect(throws: ProjectError.notFound(pets.id)) { try projects.update(accountID: stranger, id: pets.id, name: "mine", task: .detection) }
            #expect(throws: ProjectError.notFound("pets")) { try projects.delete(accountID: stranger, name: "pets") }
            #expect(throws: ProjectError.notFound(pets.id)) { try projects.delete(accountID: stranger, id: pets.id) }
            #expect(try projects.find(accountID: account, id: pets.id) == pets)
        }
    }

    @Test func mergingClassesAddsTheMissingOnesInOrderAndRefusesAnotherType() throws {
        try withServices("quarry-projects") { services in
            let account = try services.newAccount("owner")
            let pets = try services.projects.create(accountID: account, name: "pets")
            let merge = { (classes: [LabelClass]) in
                try services.database.write { db in try ProjectService.merge(classes, into: pets.id, on: db) }
            }
            try merge([LabelClass(name: "cat", type: .tag), LabelClass(name: "box", type: .boundingBox)])
            try merge([LabelClass(name: "dog", type: .tag), LabelClass(name: "cat", type: .tag)])
            #expect(try services.projects.classes(projectID: pets.id).map(\.name) == ["cat", "box", "dog"])

            #expect(throws: ProjectError.classTypeConflict(name: "box", existing: .boundingBox, requested: .polygon)) {
                try merge([LabelClass(name: "eye", type: .point), LabelClass(name: "box", type: .polygon)])
            }
            // The conflict rolls back the whole merge, the class added before it too.
            #expect(try services.projects.classes(projectID: pets.id).map(\.name) == ["cat", "box", "dog"])
        }
    }
}
