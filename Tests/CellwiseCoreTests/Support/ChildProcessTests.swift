import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// Helpers run in a process group of their own, and nothing they start outlives them.
@Suite struct ChildProcessTests {
    static func isAlive(_ pid: pid_t) -> Bool { Processes.isAlive(pid) }

    static func ends(_ pid: pid_t, within seconds: Double = 5) -> Bool { Processes.ends(pid, within: seconds) }

    /// Runs `script` with /bin/sh and returns the pid it wrote to its standard output's first line.
    static func backgroundPid(from output: Data) throws -> pid_t {
        let text = String(decoding: output, as: UTF8.self)
        return try #require(text.split(separator: "\n").first.flatMap { pid_t($0) }, "\(text)")
    }

    @Test func aHelperRunsInItsOwnGroupAndWhatItLeavesBehindEnds() throws {
        // The helper starts a long sleep in the background, says its pid, and exits.
        let run = try Subprocess.run("/bin/sh", ["-c", "sleep 300 & echo $!; ps -o pgid= -p $$"])
        #expect(run.status == 0, "\(run.error)")
        let lines = String(decoding: run.output, as: UTF8.self).split(separator: "\n")
        let sleeper = try #require(lines.first.flatMap { pid_t($0) })
        let group = try #require(lines.dropFirst().first.flatMap { pid_t($0.trimmingCharacters(in: .whitespaces)) })
        #expect(group != getpgrp(), "the helper has a process group of its own")
        #expect(Self.ends(sleeper), "the helper's background child was ended with it")
    }

    @Test func terminatingTheGroupEndsTheChildsChildren() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "sleep 300 & echo $!; wait"], output: .pipe, error: .null)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(child.outputDescriptor!, &buffer, 64)
        let sleeper = try Self.backgroundPid(from: Data(buffer.prefix(max(0, count))))
        #expect(Self.isAlive(sleeper) && child.ended == nil)
        let termination = child.terminateGroup(grace: 2)
        #expect(termination == .signalled(SIGTERM))
        #expect(Self.ends(sleeper))
    }

    @Test func aChildThatIgnoresSIGTERMIsKilledAfterTheGrace() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "trap '' TERM; sleep 300"], output: .null, error: .null)
        usleep(200_000)
        let started = Date()
        #expect(child.terminateGroup(grace: 0.5) == .signalled(SIGKILL))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func exitStatusesAndSignalsAreReported() throws {
        #expect(try ChildProcess("/bin/sh", ["-c", "exit 7"], output: .null, error: .null).wait() == .exited(7))
        #expect(try ChildProcess("/bin/sh", ["-c", "kill -9 $$"], output: .null, error: .null).wait() == .signalled(9))
        let missing = #expect(throws: DataError.self) { try ChildProcess("/nonexistent/program", []) }
        #expect(missing?.description.contains("cannot be started") == true)
    }

    /// Standard output and error are drained together: neither pipe can fill and stall the helper.
    @Test func largeOutputOnBothStreamsIsCollected() throws {
        let lines = LinesSeen()
        let run = try Subprocess.run(
            "/bin/sh", ["-c", "i=0; while [ $i -lt 20000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done"],
            errorLine: { lines.add($0) })
        #expect(run.status == 0)
        #expect(String(decoding: run.output, as: UTF8.self).split(separator: "\n").count == 20000)
        #expect(lines.count == 20000 && lines.last == "err19999")
    }
}

/// Lines received from a helper's standard error (from its reading thread).
private final class LinesSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var lines = [String]()
    func add(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return lines.count
    }
    var last: String? {
        lock.lock()
        defer { lock.unlock() }
        return lines.last
    }
}
