// swift-tools-version:6.0
// A package of its own that adds a search strategy to Cellwise without touching Cellwise's files:
// it depends on Cellwise (here by path; by URL and version in a real project) and runs Cellwise's
// command line with its strategy registered.
import PackageDescription

let package = Package(
    name: "custom-strategy",
    dependencies: [
        .package(name: "Cellwise", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "cellwise-annealing",
            dependencies: [
                .product(name: "Cellwise", package: "Cellwise"),
                .product(name: "CellwiseCommandLine", package: "Cellwise"),
            ]
        )
    ]
)
