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
    /// The helper runs in a process group of its own (``ChildProcess``). When Cellwise is asked
    /// to stop (Ctrl-C or SIGTERM, see ``Interruption``), the group gets SIGTERM, then SIGKILL
    /// after `grace` seconds, and the call throws ``Subprocess/Interrupted``; a helper that watches
    /// its parent (the OpenFHE bridge) also dies when Cellwise is killed outright.
    ///
    /// - Parameters:
    ///   - errorLine: Receives each line of its standard error as it comes (progress).
    ///   - environment: Variables added to Cellwise's environment for the helper.
    /// - Throws: ``DataError`` when it cannot be started, ``Subprocess/Interrupted`` on a stop request.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], grace: Double = 10,
        errorLine: (@Sendable (String) -> Void)? = nil
    ) throws -> Execution {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        merged["CELLWISE_PARENT_PID"] = String(getpid())
        let child = try ChildProcess(
            executable, arguments, environment: merged, input: .null, output: .pipe, error: .pipe)
        var output = [UInt8]()
        var errorData = [UInt8]()
        var pending = [UInt8]()
        var open = [child.outputDescriptor!, child.errorDescriptor!]
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // Read both pipes as data comes, so that neither fills up; check for a stop request between reads.
        while !open.isEmpty {
            if Interruption.isRequested {
                child.terminateGroup(grace: grace)
                throw Interrupted(program: executable)
            }
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 200)
            if ready < 0 && errno != EINTR { break }
            // Once the helper has exited, reaping it ends its group: a background child that still
            // holds the pipes then lets go of them, and what is left in them is read to the end.
            _ = child.ended
            guard ready > 0 else { continue }
            for descriptor in descriptors where descriptor.revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(descriptor.fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    open.removeAll { $0 == descriptor.fd }
                    continue
                }
                if descriptor.fd == child.outputDescriptor {
                    output += chunk[..<count]
                    continue
                }
                errorData += chunk[..<count]
                guard let errorLine else { continue }
                // Each byte is looked at once: a long line costs its length, not its length squared.
                for byte in chunk[..<count] {
                    if byte == UInt8(ascii: "\n") {
                        errorLine(String(decoding: pending, as: UTF8.self))
                        pending.removeAll(keepingCapacity: true)
                    } else if pending.count < 1 << 20 {
                        pending.append(byte)
                    }
                }
            }
        }
        let termination: ChildProcess.Termination
        while true {
            if let ended = child.ended {
                termination = ended
                break
            }
            if Interruption.isRequested {
                child.terminateGroup(grace: grace)
                throw Interrupted(program: executable)
            }
            usleep(50_000)
        }
        let (status, killed): (Int32, Bool) =
            switch termination {
            case .exited(let code): (code, false)
            case .signalled(let signal): (signal, true)
            }
        return Execution(
            status: status, killed: killed, output: Data(output), error: String(decoding: errorData, as: UTF8.self))
    }

    /// A helper ended because Cellwise was asked to stop (Ctrl-C or SIGTERM).
    package struct Interrupted: Error, CustomStringConvertible {
        /// The helper.
        package var program: String
        package var description: String { "interrupted: \(program) was stopped" }
    }

    /// Throws ``DataError`` (`what` failed: the last line of its error) unless it exited with 0.
    package static func check(_ execution: Execution, what: String) throws {
        guard execution.status == 0 else {
            if execution.killed {
                // SIGKILL with no message of its own is nearly always the kernel's out-of-memory killer.
                let hint = execution.status == 9 ? " (SIGKILL: most likely out of memory)" : ""
                throw DataError(what, "was killed by signal \(execution.status)\(hint)", reason: .external)
            }
            let last = execution.error.split(separator: "\n").last.map(String.init) ?? "exit status \(execution.status)"
            throw DataError(what, "failed: \(last)")
        }
    }
}
