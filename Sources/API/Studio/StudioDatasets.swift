import HTTP
import Quarry

/// `/api/datasets/{project_id}`: the project's images as one dataset.
struct StudioDatasets: Sendable {
    let services: Services

    private struct ImageBody: Encodable {
        let id: Int
        let filename: String
        let original_name: String
        let `class`: String?
        let width: Int
        let height: Int
        let size: Int
        let format: String
        let dataset_id: Int
        let url: String
        let thumbnail_url: String

        init(_ entry: ProjectImages.Entry, projectID: String) {
            id = entry.image.id
            filename = entry.filename
            original_name = entry.image.fileName
            `class` = entry.className
            width = entry.image.width
            height = entry.image.height
            size = entry.image.size
            format = entry.image.format.rawValue
            dataset_id = entry.image.datasetID
            url = "/api/datasets/\(projectID)/images/\(entry.filename)"
            thumbnail_url = "/api/datasets/\(projectID)/thumbnails/\(entry.filename)"
        }

        /// Written by hand so an unlabeled image says `"class": null` rather than leaving the key out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(id, forKey: JSONKey("id"))
            try container.encode(filename, forKey: JSONKey("filename"))
            try container.encode(original_name, forKey: JSONKey("original_name"))
            try container.encode(`class`, forKey: JSONKey("class"))
            try container.encode(width, forKey: JSONKey("width"))
            try container.encode(height, forKey: JSONKey("height"))
            try container.encode(size, forKey: JSONKey("size"))
            try container.encode(format, forKey: JSONKey("format"))
            try container.encode(dataset_id, forKey: JSONKey("dataset_id"))
            try container.encode(url, forKey: JSONKey("url"))
            try container.encode(thumbnail_url, forKey: JSONKey("thumbnail_url"))
        }
    }

    func stats(_ request: Request, _ account: Account) throws -> Response {
        let stats = try services.images.stats(accountID: account.id, projectID: request.parameter("project_id") ?? "")
        return Studio.ok(DatasetStatsDocument(stats))
    }

    /// `page` from 1, `page_size` default 50 and at most 500, `sort_by` filename/class/size, `sort_order`
    /// asc/desc, `filter_class`, `search` (a substring of the file name).
    func list(_ request: Request, _ account: Account) throws -> Response {
        struct Page: Encodable {
            let images: [ImageBody]
            let total: Int
            let page: Int
            let page_size: Int
        }
        var query = ProjectImages.Query()
        query.page = try request.integer("page", default: 1, range: 1...1_000_000)
        query.pageSize = try request.integer("page_size", default: 50, range: 1...ProjectImages.Query.maxPageSize)
        if let sort = request.query["sort_by"] {
            guard let value = ProjectImages.Query.Sort(rawValue: sort) else { throw APIError.invalid("sort_by", "must be filename, class or size") }
            query.sort = value
        }
        switch request.query["sort_order"] ?? "asc" {
        case "asc": query.descending = false
        case "desc": query.descending = true
        default: throw APIError.invalid("sort_order", "must be asc or desc")
        }
        query.filterClass = request.query["filter_class"]
        query.search = request.query["search"]
        let projectID = request.parameter("project_id") ?? ""
        let (entries, total) = try services.images.page(accountID: account.id, projectID: projectID, query: query)
        return Studio.ok(Page(images: entries.map { ImageBody($0, projectID: projectID) }, total: total, page: query.page,
                              page_size: query.pageSize))
    }

    func image(_ request: Request, _ account: Account) throws -> Response {
        let entry = try entry(request, account)
        return try BlobResponse.make(entry.image.blob, in: services.blobs, contentType: entry.image.format.mimeType, caching: .immutable)
    }

    /// A JPEG with the long side 256, made on first request (or at import) and kept.
    func thumbnail(_ request: Request, _ account: Account) throws -> Response {
        let entry = try entry(request, account)
        var response = Response.bytes(try services.thumbnails.thumbnail(of: entry.image), contentType: "image/jpeg")
        response.headers.append("Cache-Control", "private, max-age=86400, immutable")
        return response
    }

    /// The image, its approved labels, and its subset in each of the project's splits.
    func info(_ request: Request, _ account: Account) throws -> Response {
        struct Membership: Encodable {
            let split_index: Int
            let name: String
            let subset: String
        }
        struct Info: Encodable {
            let image: ImageBody
            let labels: [Label]
            let splits: [Membership]
        }
        let entry = try entry(request, account)
        let projectID = request.parameter("project_id") ?? ""
        let labels = try services.labeling.approvedLabels(imageID: entry.image.id)
        let splits = try services.splits.memberships(projectID: projectID, imageID: entry.image.id)
        return Studio.ok(Info(image: ImageBody(entry, projectID: projectID), labels: labels,
                              splits: splits.map { Membership(split_index: $0.index, name: $0.name, subset: $0.subset) }))
    }

    func clear(_ request: Request, _ account: Account) throws -> Response {
        struct Cleared: Encodable {
            let project_id: String
            let removed_images: Int
        }
        let projectID = request.parameter("project_id") ?? ""
        let removed = try services.images.clear(accountID: account.id, projectID: projectID)
        services.collectBlobsSoon()
        return Studio.ok(Cleared(project_id: projectID, removed_images: removed))
    }

    private func entry(_ request: Request, _ account: Account) throws -> ProjectImages.Entry {
        try services.images.entry(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                  filename: request.parameter("filename") ?? "")
    }
}
