import Foundation

/// Where the files under Resources/ are at run time: the browser apps, the OpenAPI documents and the
/// GPU kernels are read from there rather than built into the binary.
public enum ResourceFolders {
    /// `QUARRY_RESOURCES/<name>`, else the first `Resources/<name>` holding `marker` found going up
    /// from the executable's folder (`.build/debug/quarry` finds the repository's), else nil.
    public static func locate(_ name: String, marker: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["QUARRY_RESOURCES"] { return "\(configured)/\(name)" }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("Resources/\(name)")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// Resources/cuda/kernels.ptx, the GPU kernels the driver compiles for the card at hand.
    public static func gpuKernels() -> String? {
        locate("cuda", marker: "kernels.ptx").map { "\($0)/kernels.ptx" }
    }
}
