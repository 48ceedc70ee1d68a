import Foundation

/// Running a helper program to its end (a virtual environment's set-up, the OpenFHE bridge).
package enum Subprocess {
    /// What a finished process left.
    package struct Execution {
        package var status: Int32
        /// Whether a signal ended it (`status` is then the signal).
        package var killed = false
        package var output: Data
        package var error: String
    }

    /// Runs `executable` with `arguments` to the end, collecting its status, output and error.
    ///
    /// - Parameter errorLine: Receives each line of its standard error as it comes (progress).
    /// - Throws: ``DataError`` when it cannot be started.
    package static func run(
        _ executable: String, _ arguments: [String], errorLine: (@Sendable (String) -> Void)? = nil
    ) throws -> Execution {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw DataError(executable, "cannot be started (\(error.localizedDescription))")
        }
        // Read both pipes concurrently so that neither fills up.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let handle = err.fileHandleForReading
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                errorData.append(chunk)
                guard let errorLine else { continue }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    errorLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[pending.index(after: newline)...])
                }
            }
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Execution(
            status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal, output: output,
            error: String(decoding: errorData, as: UTF8.self))
    }

    /// Throws ``DataError`` (`what` failed: the last line of its error) unless it exited with 0.
    package static func check(_ execution: Execution, what: String) throws {
        guard execution.status == 0 else {
            if execution.killed {
                // SIGKILL with no message of its own is nearly always the kernel's out-of-memory killer.
                let hint = execution.status == 9 ? " (SIGKILL: most likely out of memory)" : ""
                throw DataError(what, "was killed by signal \(execution.status)\(hint)")
            }
            let last = execution.error.split(separator: "\n").last.map(String.init) ?? "exit status \(execution.status)"
            throw DataError(what, "failed: \(last)")
        }
    }
}
