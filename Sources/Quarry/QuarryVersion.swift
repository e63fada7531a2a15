/// The server's version, as `quarry --version`, `GET /api/system/health` and the dashboard's System panel
/// show it. Semantic versioning; a source constant (SwiftPM has no build-time stamp without a plugin), set
/// when a release is cut (docs/decisions.md).
public enum QuarryVersion {
    public static let current = "0.22.0"
}
