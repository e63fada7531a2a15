import Foundation
import FuzzTargets
#if FUZZING
import CFuzzer
#endif

/// Built with `-sanitize=fuzzer -D FUZZING` (make fuzz), this runs libFuzzer on the target that
/// QUARRY_FUZZ_TARGET names, with libFuzzer's own flags. Built plainly, it replays files through a
/// target, which is how a saved crash is reproduced under a debugger.
@main
struct FuzzDriver {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { usage() }
        for path in arguments.dropFirst() {
            try target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(path): ok")
        }
        #endif
    }

    static func usage() -> Never {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        #if FUZZING
        print("QUARRY_FUZZ_TARGET must name one of: \(names)")
        #else
        print("usage: quarry-fuzz TARGET FILE...   (targets: \(names))")
        #endif
        exit(2)
    }
}

#if FUZZING
/// The target QUARRY_FUZZ_TARGET names, read once.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["QUARRY_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else { FuzzDriver.usage() }
    return target
}()

/// Named as libFuzzer expects, since `-sanitize=fuzzer` also links libFuzzer's own `main`, which refers
/// to it; SwiftPM's `main` (this driver's) is the one that runs.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.run(bytes)
    } catch {
        fatalError("\(target.rawValue): \(error)")
    }
    return 0
}
#endif
