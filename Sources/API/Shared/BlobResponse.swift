import HTTP
import Storage

/// A stored blob as a response: a file is sent with sendfile, a small blob from memory, with the same
/// headers. A download (`attachment`) from a store that can hand it out directly (a bucket's presigned
/// URL) is a `302` to it instead, so large files do not pass through the server.
enum BlobResponse {
    enum Caching {
        /// Content-addressed bytes never change behind a URL, so the browser may keep them.
        case immutable
        case never
    }

    /// How long a redirect's presigned URL works: long enough to start a slow client's download (S3
    /// checks it only when the request starts), short enough that a leaked link soon stops working.
    static let directURLLifetime: Duration = .seconds(900)

    static func make(_ blob: BlobID, in store: any BlobStore, contentType: String, caching: Caching,
                     attachment fileName: String? = nil) throws -> Response {
        let disposition = fileName.map(attachment)
        if let disposition, let url = store.directURL(for: blob, contentType: contentType, contentDisposition: disposition,
                                                       expires: directURLLifetime) {
            var response = Response(status: .found)
            response.headers.append("Location", url)
            response.headers.append("Cache-Control", "private, no-store")
            return response
        }
        var response = switch try store.contents(of: blob) {
        case .file(let path): Response(body: .file(try FileBody(path: path)))
        case .bytes(let bytes): Response(body: .bytes(bytes))
        }
        response.headers.append("Content-Type", contentType)
        switch caching {
        case .immutable: response.headers.append("Cache-Control", "private, max-age=86400, immutable")
        case .never: response.headers.append("Cache-Control", "private, no-store")
        }
        if let disposition { response.headers.append("Content-Disposition", disposition) }
        return response
    }

    /// Quotes and backslashes would end the quoted name early; user names can contain them.
    static func attachment(_ fileName: String) -> String {
        "attachment; filename=\"\(fileName.filter { $0 != "\"" && $0 != "\\" })\""
    }
}
