import HTTP
import Storage

/// A stored file as a response, sent with sendfile.
enum BlobResponse {
    enum Caching {
        /// Content-addressed bytes never change behind a URL, so the browser may keep them.
        case immutable
        case never
    }

    static func make(_ blob: BlobID, in store: BlobStore, contentType: String, caching: Caching,
                     attachment fileName: String? = nil) throws -> Response {
        var response = Response(body: .file(try FileBody(path: store.path(for: blob))))
        response.headers.append("Content-Type", contentType)
        switch caching {
        case .immutable: response.headers.append("Cache-Control", "private, max-age=86400, immutable")
        case .never: response.headers.append("Cache-Control", "private, no-store")
        }
        if let fileName {
            // Quotes and backslashes would end the quoted name early; user names can contain them.
            response.headers.append("Content-Disposition", "attachment; filename=\"\(fileName.filter { $0 != "\"" && $0 != "\\" })\"")
        }
        return response
    }
}
