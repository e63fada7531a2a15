import Foundation
import HTTP

/// The workbench's page, script and style, read from `Resources/workbench/` on every request (they are
/// small, and an edit shows without a restart). Only these three names are served: no path from a
/// request ever reaches the file system.
struct WorkbenchFiles: Sendable {
    let directory: String?

    static let files: [String: String] = [
        "index.html": "text/html; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
    ]

    /// Scripts and styles only from this origin, nothing inline, no frames, no plugins: with user text
    /// set only through textContent, a label or comment cannot run script even if one slipped through.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// `QUARRY_RESOURCES`, else the first `Resources` folder with the workbench found going up from
    /// the executable's folder (`.build/debug/quarry` finds the repository's), else nil.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["QUARRY_RESOURCES"] { return "\(configured)/workbench" }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("Resources/workbench")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("index.html").path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    func response(_ name: String) throws -> Response {
        guard let type = Self.files[name], let directory,
              let bytes = FileManager.default.contents(atPath: "\(directory)/\(name)") else {
            throw APIError.notFound("no workbench file '\(name.prefix(100))'")
        }
        var response = Response.bytes(Array(bytes), contentType: type)
        Self.secure(&response)
        return response
    }

    static func secure(_ response: inout Response) {
        response.headers.append("Content-Security-Policy", contentSecurityPolicy)
        response.headers.append("X-Content-Type-Options", "nosniff")
        response.headers.append("Referrer-Policy", "no-referrer")
        response.headers.append("Cache-Control", "no-cache")
    }
}
