import Quarry

/// A project's images as the Studio API counts them (docs/studio.md, "Datasets").
struct DatasetStatsDocument: Encodable {
    struct ClassCount: Encodable {
        let name: String
        let count: Int
    }

    struct Part: Encodable {
        let id: Int
        let name: String
        let image_count: Int
    }

    let project_id: String
    let image_count: Int
    let unlabeled: Int
    let labeled: Int
    let size_bytes: Int
    let classes: [ClassCount]
    let datasets: [Part]

    init(_ stats: ProjectImages.Stats) {
        project_id = stats.projectID
        image_count = stats.imageCount
        unlabeled = stats.unlabeled
        labeled = stats.labeled
        size_bytes = stats.sizeBytes
        classes = stats.classes.map { ClassCount(name: $0.name, count: $0.count) }
        datasets = stats.datasets.map { Part(id: $0.id, name: $0.name, image_count: $0.imageCount) }
    }
}
