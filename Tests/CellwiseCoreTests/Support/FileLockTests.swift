import Foundation
import Testing

@testable import CellwiseCore

/// One holder at a time, across processes; a holder that dies releases its lock.
@Suite struct FileLockTests {
    @Test func aSecondHolderWaitsOrIsToldNo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-lock-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("run.lock").path
        let first = try #require(try FileLock(path, wait: false))
        // flock locks belong to the open file: a second open, even in this process, is refused.
        #expect(try FileLock(path, wait: false) == nil)
        // Another process (flock(1)) cannot take it either while we hold it.
        let busy = try Subprocess.run("/usr/bin/flock", ["-n", path, "true"])
        #expect(busy.status != 0)
        first.release()
        #expect(try FileLock(path, wait: false) != nil)
        // A folder can be locked too (the results folder of a comparison).
        let folder = try #require(try FileLock(directory.path, wait: true))
        #expect(try FileLock(directory.path, wait: false) == nil)
        folder.release()
    }

    @Test func aHolderThatDiesReleasesTheLock() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-lock-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("run.lock").path
        let holder = try ChildProcess("/usr/bin/flock", [path, "sleep", "300"], output: .null, error: .null)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, let lock = try FileLock(path, wait: false) {
            lock.release()
            usleep(20_000)
        }
        #expect(try FileLock(path, wait: false) == nil, "the other process holds it")
        holder.terminateGroup(grace: 1)
        #expect(try FileLock(path, wait: false) != nil)
    }
}
