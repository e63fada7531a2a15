// swift-tools-version:6.0
// Quarry: one self-hosted server for labeling images and training models on them.
// No package dependencies: C libraries come from Debian's -dev packages through system library targets.
import PackageDescription

func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "Quarry",
    products: [
        .executable(name: "quarry", targets: ["quarry"]),
    ],
    targets: [
        systemLibrary("CSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
        systemLibrary("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CJPEG", pkgConfig: "libjpeg", apt: "libjpeg62-turbo-dev"),
        systemLibrary("CPNG", pkgConfig: "libpng", apt: "libpng-dev"),
        systemLibrary("CCrypto", pkgConfig: "libcrypto", apt: "libssl-dev"),
        systemLibrary("CBLAS", pkgConfig: "openblas", apt: "libopenblas-dev"),
        systemLibrary("CPostgres", pkgConfig: "libpq", apt: "libpq-dev"),
        // Headers only: epoll, eventfd, sendfile, accept4 and mallopt, which Glibc's module does not export.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        .target(name: "Crypto", dependencies: ["CCrypto"]),
        .target(name: "HTTP", dependencies: ["CLinux"]),
        .target(name: "Storage", dependencies: ["CSQLite", "CPostgres", "Crypto", "CLinux", "CCurl"]),
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG", "CZlib"]),
        // Optimized in debug builds too: the tests and the debug server train through it, and its SIMD
        // code unoptimized (every vector operation a generic call) ran Winograd's transforms 10x slower.
        .target(name: "Learn", dependencies: ["CBLAS", "CLinux"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // CUDA's driver and NVML, opened at run time: nothing CUDA is needed to build or test.
        .target(name: "CUDA"),
        // Learn's Backend on a CUDA device: the kernels of Resources/cuda, launched through the driver layer.
        .target(name: "LearnGPU", dependencies: ["Learn", "CUDA"]),
        .target(name: "Quarry", dependencies: ["Storage", "Crypto", "Imaging", "Learn", "LearnGPU", "CCurl", "CUDA"]),
        .target(name: "API", dependencies: ["HTTP", "Quarry", "Crypto", "Imaging", "Storage", "Learn"]),
        .executableTarget(name: "quarry", dependencies: ["API", "HTTP", "Quarry", "Imaging", "Learn", "Storage"]),
        // Test helpers; Quarry and Storage for the tests' PostgreSQL databases (`TestDatabases`).
        .target(name: "QuarryTesting", dependencies: ["Quarry", "Storage"]),
        // Figures `make bench` needs from inside Swift; kept out of the server binary.
        .executableTarget(name: "quarry-bench", dependencies: ["Learn", "LearnGPU", "CUDA", "Imaging", "Crypto"]),
        // Fuzzing (`make fuzz`): the targets are a library so the regression tests can replay every
        // corpus file through them; the driver is libFuzzer's entry point, or a replayer without it.
        .target(name: "FuzzTargets", dependencies: ["API", "HTTP", "Imaging", "Learn", "Quarry"], path: "Tests/Fuzz/Targets"),
        .systemLibrary(name: "CFuzzer", path: "Tests/Fuzz/CFuzzer"),
        .executableTarget(name: "quarry-fuzz", dependencies: ["FuzzTargets", "CFuzzer"], path: "Tests/Fuzz/Driver"),

        .testTarget(name: "SystemLibraryTests", dependencies: ["CSQLite", "CCurl", "CZlib", "CJPEG", "CPNG", "CCrypto", "CBLAS"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "QuarryTesting"]),
        .testTarget(name: "LearnTests", dependencies: ["Learn"], exclude: ["Fixtures"]),
        .testTarget(name: "CUDATests", dependencies: ["CUDA"]),
        .testTarget(name: "LearnGPUTests", dependencies: ["LearnGPU", "Learn", "CUDA", "QuarryTesting"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Crypto"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "QuarryTests", dependencies: ["Quarry", "Storage", "Imaging", "Crypto", "QuarryTesting", "Learn", "CUDA"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Quarry", "QuarryTesting", "Imaging"]),
        .testTarget(name: "EndToEndTests", dependencies: ["QuarryTesting"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
    ],
    swiftLanguageModes: [.v6]
)
