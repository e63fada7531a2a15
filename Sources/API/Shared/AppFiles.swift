import Foundation
import HTTP
import Quarry

/// A browser app's page, script and style (the workbench's, the dashboard's), read from
/// `Resources/<app>/` on every request (they are small, and an edit shows without a restart). Only the
/// names in `files` are served: no path from a request ever reaches the file system.
struct AppFiles: Sendable {
    let directory: String?
    /// Name → content type.
    let files: [String: String]
    /// `Resources/common`, whose `shared` files every app serves beside its own.
    var commonDirectory: String? = AppFiles.locate("common")

    static let shared = listing(styles: ["quarry.css"], modules: ["quarry-api.js", "quarry-ui.js"])

    static let workbench = listing(page: "index.html", styles: ["app.css"], modules: [
        "app.js", "state.js", "session.js", "queue.js", "task.js", "panels.js", "history.js", "saving.js",
        "tools.js", "pointer.js", "keyboard.js", "geometry.js", "view.js", "draw.js",
    ])
    static let dashboard = listing(page: "index.html", styles: [
        "dashboard.css", "data.css", "splits.css", "labeling.css", "training.css", "evaluation.css", "export.css",
    ], modules: [
        "dashboard.js", "state.js", "session.js", "format.js", "projects.js", "project-forms.js", "sections.js", "progress.js",
        "dataset.js", "upload.js", "image-page.js", "dataset-export.js", "splits.js", "labeling.js", "runs.js", "chart.js",
        "experiment-form.js", "run-controls.js", "run-compare.js", "evaluations.js", "evaluation-form.js", "error-gallery.js",
        "model-exports.js", "export-form.js", "prelabeler.js", "system.js", "theme.js", "section-nav.js", "dialogs.js", "poll.js",
    ])

    /// An app's page, styles and ES modules. The modules import one another (and the shared ones) by
    /// relative URL, so every file an import names must be listed here; the module loader refuses a
    /// script served as anything but JavaScript.
    static func listing(page: String? = nil, styles: [String], modules: [String]) -> [String: String] {
        var files = [String: String]()
        if let page { files[page] = "text/html; charset=utf-8" }
        for style in styles { files[style] = "text/css; charset=utf-8" }
        for module in modules { files[module] = "text/javascript; charset=utf-8" }
        return files
    }

    /// Scripts and styles only from this origin, nothing inline, no frames, no plugins: with user text
    /// set only through textContent, a label or comment cannot run script even if one slipped through.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// `Resources/<app>` (`ResourceFolders.locate`), found by its `marker`: by default an index.html,
    /// or for `common` a quarry.css.
    static func locate(_ app: String, marker: String? = nil,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        ResourceFolders.locate(app, marker: marker ?? (app == "common" ? "quarry.css" : "index.html"), environment: environment)
    }

    func response(_ name: String) throws -> Response {
        let (type, folder) = files[name].map { ($0, directory) } ?? (Self.shared[name], commonDirectory)
        guard let type, let folder, let bytes = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
            throw APIError.notFound("no such file '\(name.prefix(100))'")
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
