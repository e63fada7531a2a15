import Imaging
import Storage

/// Gathers what an export contains: the images in scope and the labels of their approved (done)
/// tasks. Labels still in progress or under review are left out: an export is the reviewed truth.
enum ExportCollector {
    static func collect(accountID: String, scope: ExportScope, on db: any Connection) throws -> (ExportDocument, [Int: BlobID]) {
        let projects: [Project]
        if let name = scope.projectName {
            guard let project = try ProjectStore.find(accountID: accountID, name: name, on: db) else { throw ProjectError.notFound(name) }
            projects = [project]
        } else {
            projects = try ProjectStore.list(accountID: accountID, on: db)
        }
        var datasets = try projects.flatMap { try DatasetStore.list(projectID: $0.id, on: db) }
        if let datasetID = scope.datasetID {
            datasets = datasets.filter { $0.id == datasetID }
            guard !datasets.isEmpty else { throw DatasetError.notFound(datasetID) }
        }

        var classes: [LabelClass] = []
        for project in projects where datasets.contains(where: { $0.projectID == project.id }) || scope.datasetID == nil {
            for labelClass in try ProjectStore.classes(projectID: project.id, on: db) where !classes.contains(where: { $0.name == labelClass.name }) {
                classes.append(labelClass)
            }
        }

        var images: [ExportDocument.Image] = []
        var blobs: [Int: BlobID] = [:]
        // The newest change to anything exported, so the document (and its bytes) depend only on content.
        var latest = ""
        for dataset in datasets {
            let labels = try approvedLabels(datasetID: dataset.id, on: db, latest: &latest)
            for image in try DatasetStore.images(datasetID: dataset.id, on: db) {
                latest = max(latest, image.createdAt)
                blobs[image.id] = image.blob
                images.append(ExportDocument.Image(id: image.id, archivePath: archivePath(image), width: image.width,
                                                   height: image.height, datasetID: dataset.id, labels: labels[image.id] ?? []))
            }
        }
        let title = scope.datasetID.flatMap { id in datasets.first { $0.id == id }?.name } ?? scope.projectName ?? "quarry-export"
        return (ExportDocument(title: title, classes: classes, images: images, createdAt: latest.isEmpty ? "1970-01-01T00:00:00Z" : latest), blobs)
    }

    private static func approvedLabels(datasetID: Int, on db: any Connection, latest: inout String) throws -> [Int: [Label]] {
        var labels: [Int: [Label]] = [:]
        // Once per task (and once per equal annotations and time), rather than once per image of the dataset
        // the task covers. Grouped rather than DISTINCT: PostgreSQL orders DISTINCT rows only by what they select.
        let rows = try db.query("""
            SELECT t.annotations, t.updated_at FROM tasks t JOIN task_images ti ON ti.task_id = t.id
            JOIN images i ON i.id = ti.image_id WHERE i.dataset_id = ? AND t.status = 'done'
            GROUP BY t.annotations, t.updated_at ORDER BY t.updated_at, MIN(t.id)
            """, [datasetID])
        for row in rows {
            latest = max(latest, try row.string("updated_at"))
            for document in try TaskStore.labels(try row.optionalString("annotations")) {
                labels[document.imageID, default: []] += document.labels
            }
        }
        return labels
    }

    /// `images/<id>_<name>`: the id keeps paths unique, and the name is reduced to safe characters.
    static func archivePath(_ image: ImageRecord) -> String {
        var name = String(image.fileName.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") ? c : "_"
        })
        while name.hasPrefix(".") { name.removeFirst() }
        let lower = name.lowercased()
        let extensions = image.format == .jpeg ? [".jpg", ".jpeg"] : [".png"]
        if !extensions.contains(where: { lower.hasSuffix($0) }) { name += ".\(image.format.fileExtension)" }
        return "images/\(image.id)_\(name)"
    }
}
