// swift-tools-version:6.0
// A package of its own that adds a recurrent cell kind to Cellwise without touching Cellwise's
// files: the cell is one file (a CellGraph); everything else (evaluation, search, cost model,
// encrypted circuit) derives from it. It depends on Cellwise (here by path; by URL and version in
// a real project).
import PackageDescription

let package = Package(
    name: "custom-cell",
    dependencies: [
        .package(name: "Cellwise", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "cellwise-mgu",
            dependencies: [
                .product(name: "Cellwise", package: "Cellwise"),
                .product(name: "CellwiseCommandLine", package: "Cellwise"),
            ]
        )
    ]
)
