import Foundation
import Testing

@Suite struct CostCommandTests {
    typealias CLI = CommandLineTests

    @Test func reproducesTable4() throws {
        let all17 = try CLI.run(["cost", "--plan", "17*28"])
        #expect(all17.status == 0)
        #expect(all17.output.contains("plan 17*28: 27 bootstraps, 625.61 s"))
        let lowered = try CLI.run(["cost", "--plan", "7*4,17*24", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lowered.output.utf8)) as? [String: Any])
        #expect(json["bootstraps"] as? Int == 25)
        #expect((json["bootstrap_before"] as? [Int])?.first == 2)
        #expect((json["depth_per_cell"] as? [Int])?.prefix(5) == [4, 4, 4, 4, 6])
        #expect(json["profile"] as? String == "heaan-fgb")
        let latency = try #require(json["latency_seconds"] as? Double)
        #expect(abs(latency - 581.23) / 581.23 < 0.01)
    }

    @Test func calibrateWritesAProfileThatCostReads() throws {
        let directory = try CLI.temporaryDirectory()
        let out = directory.appendingPathComponent("fitted.toml").path
        let measured = directory.appendingPathComponent("m.toml").path
        try """
        [[measurement]]
        plan = "17*28"
        seconds = 628.03
        [[measurement]]
        plan = "7*4,17*24"
        seconds = 581.23
        """.write(toFile: measured, atomically: true, encoding: .utf8)
        let run = try CLI.run([
            "calibrate", "--profile", "heaan-fgb-uncalibrated", "--measured", measured, "--out", out, "--name", "mine",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("-0.38%"))
        let cost = try CLI.run(["cost", "--plan", "17*28", "--profile", out])
        #expect(cost.output.contains("27 bootstraps, 625.61 s (profile mine"))
        // Without --name the calibrated profile is named after its file, never after its base.
        let unnamed = URL(fileURLWithPath: out).deletingLastPathComponent().appendingPathComponent("table4-fit.toml")
            .path
        #expect(
            try CLI.run(["calibrate", "--profile", "heaan-fgb-uncalibrated", "--measured", measured, "--out", unnamed])
                .status == 0)
        let renamed = try CLI.run(["cost", "--plan", "17*28", "--profile", unnamed])
        #expect(renamed.output.contains("(profile table4-fit,"), "\(renamed.output)")
    }

    @Test func badInputIsAOneLineError() throws {
        let test = CommandLineTests()
        try test.expectOneLineError(["cost", "--plan", "17*27,t"], mentions: ["cell 27", "exact function"])
        try test.expectOneLineError(
            ["cost", "--plan", "17*28", "--profile", "/no/such.toml"], mentions: ["/no/such.toml"])
        let directory = try CLI.temporaryDirectory()
        let bad = directory.appendingPathComponent("bad.toml").path
        let good = try CLI.run(["profiles", "--show", "heaan-fgb"]).output
        try good.replacingOccurrences(of: "\nbootstrap = ", with: "\nbootstrap = -").write(
            toFile: bad, atomically: true, encoding: .utf8)
        try test.expectOneLineError(
            ["cost", "--plan", "17*28", "--profile", bad], mentions: [bad, "costs.bootstrap", "expected more than 0"])
        let out = directory.appendingPathComponent("never.toml").path
        try test.expectOneLineError(
            ["calibrate", "--profile", "heaan-fgb", "--measured", bad, "--out", out], mentions: [bad])
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
