import Foundation
import HTTP
import Quarry
import Storage

/// Export archives: built on request (or reused while unchanged) and handed out through expiring,
/// signed download links.
struct JThetaExports: Sendable {
    let services: Services
    let urls: PublicURLs

    /// `GET /api/export/download?key=…[&format=coco|yolo|voc|csv][&project_title=…][&dataset_id=…]`:
    /// 302 to the archive's download link. Without a project or dataset it exports the whole account.
    func download(_ request: Request, _ account: Account) throws -> Response {
        var scope = ExportScope(projectName: request.query["project_title"])
        if let id = request.query["dataset_id"] {
            guard let datasetID = Int(id) else { throw APIError.badRequest("dataset_id must be a number") }
            scope.datasetID = datasetID
        }
        let (url, body) = try build(request, account, scope: scope)
        var response = JSON.response(body, status: .found)
        response.headers.append("Location", url)
        return response
    }

    /// The SDK's `download_dataset`: the same archive for one dataset, answered as JSON. Quarry keeps
    /// one version of a dataset (its current approved labels), so `version` is only echoed.
    func datasetExport(_ request: Request, _ account: Account) throws -> Response {
        guard let datasetID = request.parameter("dataset_id").flatMap(Int.init) else {
            throw APIError.badRequest("dataset_id must be a number")
        }
        var (_, body) = try build(request, account, scope: ExportScope(datasetID: datasetID))
        body.dataset_id = datasetID
        body.version = request.query["version"]
        return JSON.response(body)
    }

    /// `GET /downloads/{export_id}/{file_name}?expires=…&signature=…`: the archive itself.
    func serve(_ request: Request) throws -> Response {
        let id = request.parameter("export_id") ?? ""
        guard let expires = request.query["expires"].flatMap(Int.init), let signature = request.query["signature"] else {
            throw APIError(.forbidden, "this download link is incomplete")
        }
        switch services.exports.links.check(exportID: id, expires: expires, signature: signature) {
        case .valid: break
        case .forged: throw APIError(.forbidden, "this download link is not valid")
        case .expired: throw APIError(.gone, "this download link has expired; request the export again")
        }
        guard let archive = try services.exports.archive(id: id) else { throw APIError.notFound("export not found") }
        return try BlobResponse.make(archive.blob, in: services.blobs, contentType: "application/zip", caching: .never,
                                     attachment: archive.fileName)
    }

    private struct Body: Encodable {
        let export_id: String
        let format: String
        let file_name: String
        let size: Int
        let download_url: String
        let expires_at: String
        var dataset_id: Int?
        var version: String?
    }

    private func build(_ request: Request, _ account: Account, scope: ExportScope) throws -> (String, Body) {
        let formatName = (request.query["format"] ?? "coco").lowercased()
        guard let format = ExportFormat(rawValue: formatName) else {
            throw APIError.badRequest("format must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let archive = try services.exports.export(accountID: account.id, scope: scope, format: format)
        let link = services.exports.links.link(exportID: archive.id, fileName: archive.fileName)
        // Absolute, as a redirect's Location is best written: the link works wherever Quarry is reached from.
        let url = urls.base(of: request) + link.path
        return (url, Body(export_id: archive.id, format: format.rawValue, file_name: archive.fileName, size: archive.size,
                          download_url: url, expires_at: Timestamp.format(Date(timeIntervalSince1970: TimeInterval(link.expires)))))
    }
}
