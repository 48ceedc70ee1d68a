import Foundation
import Testing

/// Real CKKS with OpenFHE, at a small ring dimension (N = 1024 with --insecure, for speed; every
/// line says INSECURE), and OpenFHE's security check refusing small rings without the flag. The
/// bridge creates its Python 3.10 virtual environment on first use.
@Suite(.serialized) struct CKKSCommandTests {
    typealias CLI = CommandLineTests

    static var python310Available: Bool {
        let pyenv = (ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? NSHomeDirectory() + "/.pyenv") + "/versions"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: pyenv)) ?? []
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return versions.contains { $0.hasPrefix("3.10") }
            || path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3.10") }
    }

    /// Runs where Python 3.10 is found, and always under `make test` (which sets
    /// CELLWISE_REQUIRE_ALL_TESTS); elsewhere it is reported as skipped, not as passed.
    @Test(
        .enabled(if: python310Available || CLI.requireAllTests, "needs Python 3.10 (pyenv or PATH) for OpenFHE's wheel")
    )
    func probeThenRunEncryptedAgreesWithThePlaintextEvaluator() throws {
        let directory = try CLI.temporaryDirectory()
        let profile = directory.appendingPathComponent("tiny.toml").path
        let probe = try CLI.run([
            "ckks", "probe", "--insecure", "--ring-dim", "1024", "--levels", "12", "--repetitions", "1",
            "--degrees", "3", "--out", profile,
        ])
        #expect(probe.status == 0, "\(probe.error)")
        #expect(probe.output.contains("tanh degree 3:"))
        let lines = probe.output.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("INSECURE") }, "every line is labelled: \(lines)")
        #expect(try String(contentsOfFile: profile, encoding: .utf8).contains("INSECURE"))
        #expect(FileManager.default.fileExists(atPath: profile + ".raw.json"))
        let cost = try CLI.run(["cost", "--plan", "3*28", "--profile", profile, "--depth", "openfhe", "--json"])
        #expect(cost.status == 0, "\(cost.error)")

        let model = try ResumeTests.mnistModel.get()
        let run = try CLI.run([
            "ckks", "run", "--model", model, "--plan", "3*28", "--samples", "3", "--batch", "2", "--insecure",
            "--ring-dim", "1024", "--levels", "12", "--profile", profile, "--json",
        ])
        #expect(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(json["secure"] as? Bool == false)
        #expect((json["security"] as? String)?.hasPrefix("INSECURE") == true)
        #expect((json["parameters"] as? [String: Any])?["ring_dimension"] as? Int == 1024)
        #expect(json["measured_bootstraps"] as? Int == json["predicted_bootstraps"] as? Int)
        #expect((json["predicted_bootstraps"] as? Int ?? 0) > 0)
        let difference = try #require(json["largest_logit_difference"] as? Double)
        #expect(difference < 0.05, "decrypted logits differ by \(difference)")
        // Three images in two ciphertexts of two slots-interleaved images each (the last half empty).
        #expect(json["agreeing_predictions"] as? Int == 3)
        #expect(json["ciphertexts"] as? Int == 2 && json["batch"] as? Int == 2)
        #expect((json["decrypted_logits"] as? [[Double]])?.count == 3)
        #expect(json["encrypted_accuracy"] as? Double == json["plaintext_accuracy"] as? Double)
        // Above 4 images per ciphertext the level budget becomes [2, 2] with 7 levels (probed first).
        let wide = try CLI.run([
            "ckks", "run", "--model", model, "--plan", "3*28", "--samples", "8", "--batch", "8", "--insecure",
            "--ring-dim", "1024", "--json",
        ])
        #expect(wide.status == 0, "\(wide.error)")
        let wideJSON = try #require(try JSONSerialization.jsonObject(with: Data(wide.output.utf8)) as? [String: Any])
        let parameters = try #require(wideJSON["parameters"] as? [String: Any])
        #expect(parameters["level_budget"] as? [Int] == [2, 2] && parameters["depth"] as? Int == 7 + 18 + 1)
        #expect(wideJSON["agreeing_predictions"] as? Int == 8 && wideJSON["ciphertexts"] as? Int == 1)
        #expect(wideJSON["measured_bootstraps"] as? Int == wideJSON["predicted_bootstraps"] as? Int)
        let measured = try #require(json["measured_seconds"] as? Double)
        let predicted = try #require(json["predicted_seconds"] as? Double)
        #expect(measured > 0 && predicted > 0)
    }

    /// Without --insecure OpenFHE checks the HE standard: it refuses rings too small for the depth
    /// (here: N = 4096 and 8192 for a bootstrappable context) with one line naming what it wants.
    @Test(
        .enabled(if: python310Available || CLI.requireAllTests, "needs Python 3.10 (pyenv or PATH) for OpenFHE's wheel")
    )
    func smallRingsAreRefusedWithoutInsecure() throws {
        let directory = try CLI.temporaryDirectory()
        for ring in ["4096", "8192"] {
            let out = directory.appendingPathComponent("p\(ring).toml").path
            let probe = try CLI.run(["ckks", "probe", "--ring-dim", ring, "--levels", "2", "--out", out])
            #expect(probe.status != 0)
            // A progress line, then the error in one line.
            let errors = probe.error.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errors.count == 1 && probe.error.split(separator: "\n").count <= 2, "\(probe.error)")
            #expect(probe.error.contains("does not comply with HE standards"), "\(probe.error)")
            #expect(!FileManager.default.fileExists(atPath: out), "nothing is written")
        }
        let noRing = try CLI.run(["ckks", "probe", "--insecure", "--out", directory.appendingPathComponent("x").path])
        #expect(noRing.status != 0 && noRing.error.contains("--ring-dim"))
    }

    @Test func aMissingPythonIsAClearError() throws {
        let directory = try CLI.temporaryDirectory()
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = [
            "ckks", "probe", "--ring-dim", "1024", "--out", directory.appendingPathComponent("x.toml").path,
        ]
        process.environment = [
            "PATH": "/usr/bin:/bin", "PYENV_ROOT": directory.path, "HOME": directory.path,
            "CELLWISE_CKKS_VENV": directory.appendingPathComponent("venv").path,
        ]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Debian's python3.10 is installed: the bridge would find it.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3.10") { return }
        #expect(process.terminationStatus == 1)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains("python3.10") && text.contains("install"))
    }
}
