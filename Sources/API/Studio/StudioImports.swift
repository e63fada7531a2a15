import Foundation
import Glibc
import HTTP
import Quarry

/// Imports into a project's dataset. Both answer 202 with the import job at once; its progress is at
/// `GET /api/datasets/{project_id}/imports/{import_id}`.
struct StudioImports: Sendable {
    let services: Services
    let uploads: UploadContext

    /// `POST …/import/upload`: the ZIP as a multipart part named `file`, with the layout in a `format`
    /// field, or as the raw body (`Content-Type: application/zip`) with `?format=`. Without a format the
    /// layout is detected. Large bodies reach us already spooled to disk.
    func upload(_ request: Request, _ account: Account) throws -> Response {
        let projectID = request.parameter("project_id") ?? ""
        let archive = "\(services.spoolDirectory)/upload-\(UUID().uuidString).zip"
        var format = try Self.format(request.query["format"])
        if request.headers["content-type"]?.lowercased().hasPrefix("multipart/form-data") == true {
            let form = try UploadForm(request, context: uploads, fileFields: ["file"])
            guard let file = form.files.first else { throw APIError.invalid("file", "is required: send the ZIP in a part named 'file'") }
            format = try Self.format(form.fields["format"]) ?? format
            try Self.keep(file.source, at: archive)
        } else {
            switch request.body {
            case .empty: throw APIError.badRequest("send a ZIP archive")
            case .bytes(let bytes): try Self.keep(.bytes(bytes), at: archive)
            case .file(let spooled): try Self.keep(.spooled(path: spooled.path), at: archive)
            }
        }
        let job = try services.imports.importArchive(accountID: account.id, projectID: projectID, archive: archive, format: format)
        return Studio.ok(ImportJobDocument(job), status: .accepted)
    }

    /// `POST …/import/local` with `{"source_path": "…", "format": "…"}` (studio-api-related.md): a folder
    /// under `QUARRY_IMPORT_ROOT`. `path` is read as `source_path`, as earlier Quarry took it; without
    /// a format the layout is detected.
    func local(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let source_path: String?
            let path: String?
            let format: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        guard let path = body.source_path ?? body.path else { throw APIError.invalid("source_path", "is required") }
        if let other = body.path, body.source_path != nil, other != path {
            throw APIError.invalid("path", "names another folder than source_path; send one of them")
        }
        let job = try services.imports.importFolder(accountID: account.id, projectID: request.parameter("project_id") ?? "", path: path,
                                                    format: try Self.format(body.format))
        return Studio.ok(ImportJobDocument(job), status: .accepted)
    }

    /// One of `ImportFormat`'s names, case ignored; nil or empty detects the layout.
    private static func format(_ name: String?) throws(APIError) -> ImportFormat? {
        guard let name = name?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else { return nil }
        return try JSON.choice(name, "format", or: .folder)
    }

    func job(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(ImportJobDocument(try services.imports.job(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                             id: request.parameter("import_id") ?? "")))
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.imports.jobs(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(ImportJobDocument.init))
    }

    /// Puts the archive at `path`: a spooled file is renamed (same filesystem, no copy), bytes are written.
    private static func keep(_ source: IncomingFile.Source, at path: String) throws {
        switch source {
        case .spooled(let spooled):
            guard rename(spooled, path) == 0 else { throw APIError(.internalServerError, "could not keep the upload") }
        case .bytes(let bytes):
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw APIError(.insufficientStorage, "could not store the upload")
            }
        }
    }
}
