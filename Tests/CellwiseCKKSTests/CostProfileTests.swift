import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCKKS

@Suite struct CostProfileTests {
    static let configs = TestData.repositoryRoot
        .appendingPathComponent("configs")

    @Test func shippedProfileFilesAreThePresets() throws {
        for (name, preset) in CostProfile.presets {
            let file = Self.configs.appendingPathComponent("profiles/\(name).toml").path
            #expect(try CostProfile(contentsOf: file) == preset, "\(name)")
        }
    }

    @Test func everyShippedProfileParses() throws {
        let directory = Self.configs.appendingPathComponent("profiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".toml") }
        #expect(files.count >= 2)
        for file in files {
            let profile = try CostProfile(contentsOf: directory.appendingPathComponent(file).path)
            #expect(profile.name + ".toml" == file)
            #expect(
                try CostModel(profile: profile, depthRule: .openfhe).cost(of: ActivationPlan(parsing: "7*28"))
                    .latencySeconds > 0)
        }
    }

    @Test func tomlTextRoundTrips() throws {
        var profile = CostProfile.heaanFGb
        profile.levelScaling = .flat
        profile.matrixVector = .diagonal
        profile.matrixVectorRotations = 12
        profile.costs.rotation = 0.123456789012345
        #expect(try CostProfile(toml: profile.tomlText, file: "x.toml") == profile)
    }

    static func edited(_ transform: (String) -> String) -> String {
        transform(CostProfile.heaanFGb.tomlText)
    }

    @Test(arguments: [
        ("addition = 0.002", "addition = -0.002", "costs.addition: is -0.002; expected more than 0"),
        ("addition = 0.002", "addition = 0", "costs.addition: is 0.0; expected more than 0"),
        (
            "\nbootstrap = ", "\nbootstrap = 1e308 #",
            "costs.bootstrap: is 1e+308; expected more than 0 and at most 86400"
        ),
        ("addition = 0.002", "", "costs.addition: is missing"),
        ("rotation = 0.14", "rotation = \"fast\"", "costs.rotation: must be a number"),
        ("addition = 0.002", "addition = 0.002\nsubtraction = 0.001", "costs.subtraction: unknown key"),
        ("level_scaling = \"modulus\"", "level_scaling = \"limbs\"", "costs.level_scaling: is \"limbs\""),
        ("slots = 32768", "slots = 65536", "parameters.slots"),
        ("levels_after_bootstrap = 9", "levels_after_bootstrap = 0", "parameters.levels_after_bootstrap: is 0"),
        ("[matrix_vector]", "[matrix_vector\n", "line "),
    ])
    func malformedProfilesNameTheKey(original: String, replacement: String, expected: String) {
        let text = Self.edited { $0.replacingOccurrences(of: original, with: replacement) }
        let error = #expect(throws: ConfigurationError.self) { try CostProfile(toml: text, file: "bad.toml") }
        #expect(error?.description.contains("bad.toml") == true)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func unknownPresetsAndMissingFilesAreClearErrors() {
        #expect(throws: ConfigurationError.self) { try CostProfile.named("heaan") }
        let error = #expect(throws: ConfigurationError.self) { try CostProfile.named("/no/profile.toml") }
        #expect(error?.description == "/no/profile.toml: no such file")
    }
}
