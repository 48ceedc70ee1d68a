// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target (the swift-collections habit).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Cellwise",
    products: [
        /// Everything: the umbrella module re-exports the modules below.
        .library(name: "Cellwise", targets: ["Cellwise"]),
        /// The command line as a library, so that another package can run it with its own strategies.
        .library(name: "CellwiseCommandLine", targets: ["CellwiseCommandLine"]),
        .executable(name: "cellwise", targets: ["CellwiseTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // MARK: - Public API

        /// Data, the model file, activation plans and their fits, the plan evaluator, strict TOML
        /// configuration, and the helpers every module shares (atomic files, interruption, seeds).
        .target(
            name: "CellwiseCore",
            dependencies: ["_CellwiseBLAS", "_CellwiseZlib", "_CellwiseKernels"],
            swiftSettings: swiftSettings
        ),

        /// Training with back-propagation through time (Keras semantics).
        .target(
            name: "CellwiseTraining",
            dependencies: ["CellwiseCore"],
            swiftSettings: swiftSettings
        ),

        /// The CKKS cost model (depth, placement, latency, profiles, calibration), the circuit of a
        /// plan and its job, and the protocol a backend that runs jobs implements. Pure: no library,
        /// no process.
        .target(
            name: "CellwiseCKKS",
            dependencies: ["CellwiseCore"],
            swiftSettings: swiftSettings
        ),

        /// Encrypted runs with OpenFHE (tools/ckks/cellwise_ckks.py in a pinned virtual
        /// environment): the backend, its parameters and security check, probes, and the resumable,
        /// shardable run folder.
        .target(
            name: "CellwiseOpenFHE",
            dependencies: ["CellwiseCore", "CellwiseCKKS"],
            swiftSettings: swiftSettings
        ),

        /// Searches: the strategy protocol and registry, the budget-enforcing evaluator, the driver,
        /// traces and resume, and the built-in strategies.
        .target(
            name: "CellwiseSearch",
            dependencies: ["CellwiseCore", "CellwiseCKKS", "CellwiseStatistics"],
            swiftSettings: swiftSettings
        ),

        /// Statistics for comparing strategies (Friedman, Wilcoxon signed-rank, Holm, critical
        /// differences), computed as SciPy computes them; no dependencies.
        .target(
            name: "CellwiseStatistics",
            swiftSettings: swiftSettings
        ),

        /// Comparisons of strategies from a config: runs, run.json, tables, plots, notebooks.
        .target(
            name: "CellwiseReport",
            dependencies: [
                "CellwiseCore", "CellwiseTraining", "CellwiseCKKS", "CellwiseSearch", "CellwiseONNX",
                "CellwiseStatistics",
            ],
            swiftSettings: swiftSettings
        ),

        /// Import of recurrent models from ONNX (the `RNN`, `GRU` and `LSTM` operators and a dense head);
        /// the protobuf types are generated once from onnx.proto (scripts/onnx/generate.sh).
        .target(
            name: "CellwiseONNX",
            dependencies: ["CellwiseCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),

        /// The umbrella: `import Cellwise` imports every module above.
        .target(
            name: "Cellwise",
            dependencies: [
                "CellwiseCore", "CellwiseTraining", "CellwiseCKKS", "CellwiseOpenFHE", "CellwiseSearch",
                "CellwiseReport", "CellwiseONNX", "CellwiseStatistics",
            ],
            swiftSettings: swiftSettings
        ),

        /// The `cellwise` commands (argument parsing only) and `CellwiseCommand.main(strategies:)`.
        .target(
            name: "CellwiseCommandLine",
            dependencies: [
                "Cellwise",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The `cellwise` executable: one line that calls the command line.
        .executableTarget(
            name: "CellwiseTool",
            dependencies: ["CellwiseCommandLine"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Implementation details

        /// OpenBLAS (CBLAS) and LAPACKE; imported by CellwiseCore/Numerics/LinearAlgebra.swift only.
        .systemLibrary(
            name: "_CellwiseBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        /// zlib, for gzip-compressed data files; imported by CellwiseCore/Data/Gzip.swift only.
        .systemLibrary(
            name: "_CellwiseZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        /// Vectorised Float32 kernels of the evaluator's hot loop (polynomial activations),
        /// compiled for several instruction sets and chosen at load time. No unsafe flags: FMA
        /// contraction is a pragma in the source.
        .target(name: "_CellwiseKernels"),

        /// Helpers shared by the test bundles (synthetic data, temporary directories, the executable).
        .target(
            name: "CellwiseTestSupport",
            dependencies: ["Cellwise"],
            path: "Tests/CellwiseTestSupport",
            swiftSettings: swiftSettings
        ),

        // MARK: - Unit test bundles

        .testTarget(
            name: "CellwiseCoreTests",
            dependencies: ["CellwiseCore", "CellwiseTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseTrainingTests",
            dependencies: ["CellwiseTraining", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseCKKSTests",
            dependencies: ["CellwiseCKKS", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseOpenFHETests",
            dependencies: ["CellwiseOpenFHE", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseSearchTests",
            dependencies: ["CellwiseSearch", "CellwiseTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseONNXTests",
            dependencies: ["CellwiseONNX", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseStatisticsTests",
            dependencies: ["CellwiseStatistics", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CellwiseReportTests",
            dependencies: ["CellwiseReport", "CellwiseTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),

        // MARK: - End-to-end test bundles

        /// Runs the built `cellwise` executable (and the example package) as a user would.
        .testTarget(
            name: "CellwiseCommandLineTests",
            dependencies: ["CellwiseTool", "CellwiseCommandLine", "CellwiseTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
