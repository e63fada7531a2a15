import Foundation
import Glibc
import HTTP
import Quarry

/// A multipart/form-data upload read into text fields and files. Large parts arrive as spooled
/// files in the blob store's temp directory; whatever the handler does not adopt is removed.
struct UploadForm: ~Copyable {
    private(set) var fields: [String: String] = [:]
    private(set) var files: [IncomingFile] = []
    private var spooled: [String] = []

    /// Parts whose field name is one of `fileFields` and that carry a filename become files.
    init(_ request: Request, context: UploadContext, fileFields: Set<String>) throws {
        guard let contentType = request.headers["content-type"], contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw APIError(.unsupportedMediaType, "send multipart/form-data")
        }
        let parts = try MultipartForm.parse(request, limits: context.limits, spoolDirectory: context.spoolDirectory,
                                            maxPartBytes: context.maxUploadBytes)
        for part in parts {
            if case .file(let file) = part.content { spooled.append(file.path) }
        }
        for part in parts {
            if let filename = part.filename, fileFields.contains(part.name) {
                switch part.content {
                case .bytes(let bytes): files.append(IncomingFile(fileName: filename, source: .bytes(bytes)))
                case .file(let file): files.append(IncomingFile(fileName: filename, source: .spooled(path: file.path)))
                }
            } else if case .bytes(let bytes) = part.content, fields[part.name] == nil {
                fields[part.name] = String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    deinit {
        // Adopted files were renamed into the blob store; removing the rest is all that is left.
        for path in spooled { unlink(path) }
    }

    func required(_ name: String) throws -> String {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw APIError.invalid(name, "is required")
        }
        return value
    }
}

/// What upload handlers need from the server's configuration.
struct UploadContext: Sendable {
    var limits: Limits
    let spoolDirectory: String
    let maxUploadBytes: Int
}
