import HTTP
import Storage

/// A stored blob as a response: a file is sent with sendfile, a small blob from memory, with the same headers.
enum BlobResponse {
    enum Caching {
        /// Content-addressed bytes never change behind a URL, so the browser may keep them.
        case immutable
        case never
    }

    static func make(_ blob: BlobID, in store: BlobStore, contentType: String, caching: Caching,
                     attachment fileName: String? = nil) throws -> Response {
        var response = switch try store.contents(of: blob) {
        case .file(let path): Response(body: .file(try FileBody(path: path)))
        case .bytes(let bytes): Response(body: .bytes(bytes))
        }
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
