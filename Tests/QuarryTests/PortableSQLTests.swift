@testable import Quarry
import Storage
import Testing

/// Statements whose SQLite-only spelling gave way to one PostgreSQL reads alike: what each still does.
@Suite struct PortableSQLTests {
    private static let blob = String(repeating: "a", count: 64)

    /// A project with one dataset; the project's and the dataset's ids.
    private static func project(in services: Services) throws -> (account: String, project: String, dataset: Int) {
        let account = try services.accounts.create(name: "portable").account.id
        let project = try services.projects.create(accountID: account, name: "portable").id
        let dataset = try services.database.write { db in
            try DatasetStore.insert(projectID: project, name: "portable", license: "", createdAt: Timestamp.now(), on: db)
        }
        return (account, project, dataset)
    }

    private static func insertImage(_ fileName: String, className: String? = nil, dataset: Int, on db: any Connection) throws -> Int {
        try db.queryOne("""
            INSERT INTO images (dataset_id, blob, file_name, format, width, height, size, class_name, created_at)
            VALUES (?, ?, ?, 'png', 8, 8, 100, ?, ?) RETURNING id
            """, [dataset, blob, fileName, className, Timestamp.now()])?.int("id") ?? 0
    }

    private static func task(_ id: String, project: String, images: [Int]) -> LabelTask {
        let now = Timestamp.now()
        return LabelTask(id: id, projectID: project, source: .jtheta, status: .new, annotatorID: nil, reviewerID: nil, imageIDs: images,
                         predictions: [], annotations: [], draft: nil, reviewComment: nil, createdAt: now, updatedAt: now,
                         startedAt: nil, submittedAt: nil, finishedAt: nil)
    }

    /// A task's images are read apart from its row (no `group_concat`), in position order, for any number of tasks.
    @Test func tasksReadTheirImagesInPositionOrder() throws {
        try withServices("quarry-portable-tasks") { services in
            let (_, project, dataset) = try Self.project(in: services)
            let count = 600
            let expected = try services.database.write { db -> [String: [Int]] in
                var expected: [String: [Int]] = [:]
                for index in 0..<count {
                    let first = try Self.insertImage("\(index)-a.png", dataset: dataset, on: db)
                    let second = try Self.insertImage("\(index)-b.png", dataset: dataset, on: db)
                    let id = "task-\(index)"
                    expected[id] = [second, first]
                    try TaskStore.insert(Self.task(id, project: project, images: [second, first]), on: db)
                }
                try TaskStore.insert(Self.task("no-images", project: project, images: []), on: db)
                return expected
            }
            try services.database.read { db in
                #expect(try TaskStore.find(id: "task-7", on: db)?.imageIDs == expected["task-7"])
                #expect(try TaskStore.find(id: "no-images", on: db)?.imageIDs == [])
                let byImage = try TaskStore.jthetaTasks(datasetID: dataset, on: db)
                #expect(byImage.count == 2 * count)
                for (image, task) in byImage {
                    #expect(task.imageIDs == expected[task.id] && task.imageIDs.contains(image))
                }
            }
        }
    }

    /// The Studio's file name search ignores ASCII case; images without a class sort first, and last descending.
    @Test func imagePagesSearchWithoutCaseAndSortUnclassifiedImagesFirst() throws {
        try withServices("quarry-portable-images") { services in
            let (account, project, dataset) = try Self.project(in: services)
            try services.database.write { db in
                _ = try Self.insertImage("Cat.PNG", className: "b", dataset: dataset, on: db)
                _ = try Self.insertImage("cat_2.png", dataset: dataset, on: db)
                _ = try Self.insertImage("dog.png", className: "a", dataset: dataset, on: db)
                _ = try Self.insertImage("cat%.png", className: "A", dataset: dataset, on: db)
            }
            func names(search: String? = nil, descending: Bool = false) throws -> [String] {
                var query = ProjectImages.Query()
                query.search = search
                query.sort = .class
                query.descending = descending
                let (entries, total) = try services.images.page(accountID: account, projectID: project, query: query)
                #expect(total == entries.count)
                return entries.map(\.image.fileName)
            }
            #expect(try names() == ["cat_2.png", "cat%.png", "dog.png", "Cat.PNG"])
            #expect(try names(descending: true) == ["Cat.PNG", "dog.png", "cat%.png", "cat_2.png"])
            #expect(try names(search: "CAT") == ["cat_2.png", "cat%.png", "Cat.PNG"])
            #expect(try names(search: "t%") == ["cat%.png"])
            #expect(try names(search: "t_") == ["cat_2.png"])
        }
    }

    /// `filter_class` matches a true class, or one among a result's box or region classes, exactly: case included.
    @Test func anEvaluationsClassFilterMatchesClassesExactly() throws {
        try withServices("quarry-portable-evaluations") { services in
            let (_, project, _) = try Self.project(in: services)
            try services.database.write { db in
                try db.run("INSERT INTO experiments (id, project_id, name, config, created_at, updated_at) VALUES ('x', ?, 'x', '{}', 't', 't')",
                           [project])
                try db.run("INSERT INTO runs (id, project_id, experiment_id, status, config, created_at) VALUES ('r', ?, 'x', 'completed', '{}', 't')",
                           [project])
                try db.run("""
                    INSERT INTO evaluations (id, project_id, experiment_id, run_id, checkpoint, split_index, split_subset, batch_size, status,
                                             created_at)
                    VALUES ('e', ?, 'x', 'r', 'best', 0, 'val', 1, 'completed', 't')
                    """, [project])
                let results: [(String, String?)] = [("cat", nil), ("Cat", nil), ("", "\ndog\n\nCat\n"), ("", "\ncat\n"), ("", "\ncats\n"),
                                                      ("", "\nc_t\n")]
                for (position, (truth, classes)) in results.enumerated() {
                    try db.run("""
                        INSERT INTO evaluation_results (evaluation_id, position, file_name, ground_truth, prediction, confidence, loss, correct,
                                                        classes)
                        VALUES ('e', ?, ?, ?, 'cat', 0.5, 0.5, 1, ?)
                        """, [position, "\(position).png", truth, classes])
                }
            }
            func matching(_ name: String) throws -> [String] {
                var query = EvaluationResultQuery()
                query.filterClass = name
                let (results, total) = try services.database.read { db in try EvaluationStore.results(evaluationID: "e", query: query, on: db) }
                #expect(total == results.count)
                return results.map(\.fileName)
            }
            #expect(try matching("cat") == ["0.png", "3.png"])
            #expect(try matching("Cat") == ["1.png", "2.png"])
            #expect(try matching("c_t") == ["5.png"])
            #expect(try matching("c%") == [])
            #expect(try matching("dog") == ["2.png"])
        }
    }
}
