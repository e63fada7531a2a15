// swift-tools-version:6.0
// Quarry: one self-hosted server for labeling images and training models on them.
// No package dependencies: C libraries come from Debian's -dev packages through system library targets.
import PackageDescription

func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "Quarry",
    targets: [
        systemLibrary("CSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
        systemLibrary("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CJPEG", pkgConfig: "libjpeg", apt: "libjpeg62-turbo-dev"),
        systemLibrary("CPNG", pkgConfig: "libpng", apt: "libpng-dev"),
        systemLibrary("CCrypto", pkgConfig: "libcrypto", apt: "libssl-dev"),
        systemLibrary("CBLAS", pkgConfig: "openblas", apt: "libopenblas-dev"),

        .target(name: "Crypto", dependencies: ["CCrypto"]),
        .target(name: "HTTP"),

        .testTarget(name: "SystemLibraryTests", dependencies: ["CSQLite", "CCurl", "CZlib", "CJPEG", "CPNG", "CCrypto", "CBLAS"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
    ],
    swiftLanguageModes: [.v6]
)
