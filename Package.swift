// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target (the swift-collections habit).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Cellwise",
    products: [
        .library(name: "Cellwise", targets: ["Cellwise"]),
        .executable(name: "cellwise", targets: ["cellwise"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Public API

        /// All of Cellwise's logic: data, model, training, approximations, evaluation, CKKS cost model.
        .target(
            name: "Cellwise",
            dependencies: [
                "_CellwiseBLAS", "_CellwiseZlib", "_CellwiseKernels",
            ],
            swiftSettings: swiftSettings
        ),

        /// The `cellwise` command line: argument parsing only.
        .executableTarget(
            name: "cellwise",
            dependencies: [
                "Cellwise",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Implementation details

        /// OpenBLAS (CBLAS) and LAPACKE; imported by Numerics/LinearAlgebra.swift only.
        .systemLibrary(
            name: "_CellwiseBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        /// zlib, for gzip-compressed data files; imported by Data/Gzip.swift only.
        .systemLibrary(
            name: "_CellwiseZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        /// Vectorised Float32 kernels of the evaluator's hot loop (polynomial activations),
        /// compiled for several instruction sets and chosen at load time.
        .target(
            name: "_CellwiseKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast"])]
        ),

        // MARK: - Unit test bundles

        .testTarget(
            name: "CellwiseTests",
            dependencies: ["Cellwise"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "cellwiseEndToEndTests",
            dependencies: ["cellwise"],
            swiftSettings: swiftSettings
        ),
    ]
)
