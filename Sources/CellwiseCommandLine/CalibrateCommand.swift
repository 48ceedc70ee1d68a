import ArgumentParser
import Cellwise
import Foundation

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit a cost profile to measured encrypted latencies.",
        discussion: """
            Least-squares fit of the profile's free parameters to (plan, seconds) pairs given as
            [[measurement]] tables in a TOML file: the bootstrap cost (--free bootstrap), or the
            bootstrap cost and one factor on all other operation costs (--free all).

            Example:
              cellwise calibrate --profile heaan-fgb-uncalibrated --measured configs/measurements/paper-table4.toml \\
                --out my-profile.toml --name heaan-fgb
            """)

    @Option(help: "The base profile: a preset or a .toml file.")
    var profile: String

    @Option(help: "TOML file of [[measurement]] tables with plan and seconds.")
    var measured: String

    @Option(help: "Where to write the calibrated profile (.toml).")
    var out: String

    @Option(help: "Name of the calibrated profile (default: the --out file's name without .toml).")
    var name: String?

    @Option(help: "Free parameters: bootstrap, or all (bootstrap and operation scale).")
    var free: CalibrationParameters = .bootstrap

    @Option(help: "Polynomial depth rule used to price the measured plans.")
    var depth: DepthRule = .ideal

    @Option(help: "Bootstrap placement used to price the measured plans.")
    var placement: PlacementStrategy = .greedy

    func run() throws {
        let base = try CostProfile.named(profile)
        let measurements = try LatencyMeasurement.read(measured)
        let result = try Calibration.fit(
            base: base, measurements: measurements, free: free, depthRule: depth,
            placement: placement,
            name: name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent, baseName: profile,
            measurementsName: measured)
        try AtomicFile.write(Data(result.profile.tomlText.utf8), to: out)
        print(
            String(
                format: "bootstrap %.4f s, operation scale %.4f (free: %@)",
                result.profile.costs.bootstrap, result.profile.calibration?.operationScale ?? 1, free.rawValue))
        let width = max(4, measurements.map { $0.plan.description.count }.max() ?? 0)
        print(
            "plan".padding(toLength: width, withPad: " ", startingAt: 0) + "   measured  predicted   error  bootstraps")
        for (index, m) in measurements.enumerated() {
            let predicted = result.predictions[index]
            print(
                m.plan.description.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %9.2f  %9.2f  %+5.2f%%  %10d", m.seconds, predicted,
                        100 * (predicted - m.seconds) / m.seconds,
                        result.bootstraps[index]))
        }
        print("wrote \(out)")
    }
}
