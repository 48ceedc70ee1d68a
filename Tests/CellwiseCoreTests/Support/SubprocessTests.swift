import Foundation
import Testing

@testable import CellwiseCore

/// A helper program's end as one line: its last error line, or the signal that killed it.
@Suite struct SubprocessTests {
    @Test func failuresAndSignalsAreOneLine() throws {
        let failed = try Subprocess.run("/bin/sh", ["-c", "echo first >&2; echo 'the reason' >&2; exit 3"])
        #expect(failed.status == 3 && !failed.killed)
        let error = #expect(throws: DataError.self) { try Subprocess.check(failed, what: "the helper") }
        #expect(error?.description.contains("failed: the reason") == true)

        let killed = try Subprocess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(killed.killed && killed.status == 9)
        let oom = #expect(throws: DataError.self) { try Subprocess.check(killed, what: "the helper") }
        #expect(oom?.description.contains("killed by signal 9 (SIGKILL: most likely out of memory)") == true)
        #expect(oom?.description.split(separator: "\n").count == 1)

        try Subprocess.check(try Subprocess.run("/bin/sh", ["-c", "exit 0"]), what: "the helper")
    }
}
