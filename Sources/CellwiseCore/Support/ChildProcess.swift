import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A helper program started in a process group of its own (`posix_spawn` with
/// `POSIX_SPAWN_SETPGROUP`), so that ending it ends everything it started: an external strategy
/// that forks a worker, or the OpenFHE bridge and its threads. Its standard streams are pipes,
/// files or `/dev/null`. Ctrl-C at a terminal reaches Cellwise only; Cellwise then ends the group
/// in order (``terminateGroup(grace:)``).
package final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    package enum Stream {
        /// A pipe to or from Cellwise (see ``inputDescriptor``, ``outputDescriptor``, ``errorDescriptor``).
        case pipe
        /// A file, truncated (standard output or error) or read (standard input).
        case file(String)
        /// `/dev/null`.
        case null
    }

    /// How the child ended.
    package enum Termination: Equatable, Sendable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)
    }

    /// The child's process id, which is also its process group's id.
    package let pid: pid_t
    /// The write end of its standard input, when piped (closed by ``closeInput()``).
    package private(set) var inputDescriptor: Int32?
    /// The read end of its standard output, when piped.
    package let outputDescriptor: Int32?
    /// The read end of its standard error, when piped.
    package let errorDescriptor: Int32?
    private var termination: Termination?
    private let lock = NSLock()

    /// Starts `executable` (a path; a name without `/` is looked up in `PATH`) with `arguments`.
    ///
    /// - Parameter environment: The child's environment (nil: Cellwise's own).
    /// - Throws: ``DataError`` naming the program when it cannot be started.
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: Stream = .null, output: Stream = .pipe, error: Stream = .pipe
    ) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // A process group of its own (group id = its pid), default signal handling and mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var parentEnds = [Int32?](repeating: nil, count: 3)
        var childEnds = [Int32]()
        func closeAll() {
            for fd in parentEnds.compactMap({ $0 }) + childEnds { close(fd) }
        }
        for (target, stream) in [(Int32(0), input), (1, output), (2, error)] {
            switch stream {
            case .pipe:
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else {
                    closeAll()
                    throw DataError(executable, "cannot be started (no pipe: \(String(cString: strerror(errno))))")
                }
                // Neither end may leak into other children (dup2 gives the child its own copy).
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                let (parent, child) = target == 0 ? (fds[1], fds[0]) : (fds[0], fds[1])
                parentEnds[Int(target)] = parent
                childEnds.append(child)
                posix_spawn_file_actions_adddup2(&actions, child, target)
            case .file(let path):
                let flags = target == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC)
                posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644)
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        let program = executable.contains("/") ? executable : "/usr/bin/env"
        let argv = (executable.contains("/") ? [executable] : ["/usr/bin/env", executable]) + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = env.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, program, &actions, &attributes, &cArguments, &cEnvironment)
        for fd in childEnds { close(fd) }
        childEnds = []
        guard status == 0 else {
            closeAll()
            throw DataError(executable, "cannot be started (\(String(cString: strerror(status))))")
        }
        pid = child
        inputDescriptor = parentEnds[0]
        outputDescriptor = parentEnds[1]
        errorDescriptor = parentEnds[2]
    }

    deinit {
        // Nothing it started outlives it, whatever path the caller took.
        if termination == nil { terminateGroup(grace: 0) }
        if let inputDescriptor { close(inputDescriptor) }
        if let outputDescriptor { close(outputDescriptor) }
        if let errorDescriptor { close(errorDescriptor) }
    }

    /// Closes the child's standard input (it reads the end of its input).
    package func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if let inputDescriptor { close(inputDescriptor) }
        inputDescriptor = nil
    }

    /// How the child ended, or nil while it runs (does not wait; the child is reaped once it ended).
    package var ended: Termination? {
        lock.lock()
        defer { lock.unlock() }
        return reap(blocking: false)
    }

    /// Waits for the child to end.
    @discardableResult
    package func wait() -> Termination {
        lock.lock()
        defer { lock.unlock() }
        return reap(blocking: true)!
    }

    /// Ends the child's whole group: SIGTERM, then SIGKILL after `grace` seconds for whatever is
    /// still running (the child's own children included), and reaps the child.
    @discardableResult
    package func terminateGroup(grace: Double = 5) -> Termination {
        lock.lock()
        defer { lock.unlock() }
        if let termination {
            // The leader is gone; members it left in the group are not.
            kill(-pid, SIGKILL)
            return termination
        }
        if grace > 0 {
            kill(-pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while Date() < deadline, !hasExited() { usleep(20_000) }
        }
        // The group id stays valid while the leader is unreaped (a zombie at worst).
        kill(-pid, SIGKILL)
        return reap(blocking: true)!
    }

    /// Whether the child has exited, without reaping it (so that its group id stays reserved).
    private func hasExited() -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && exitedPid(info) != 0
    }

    /// The pid `waitid` filled in (0 when nothing has exited).
    private func exitedPid(_ info: siginfo_t) -> pid_t {
        #if canImport(Glibc)
            info._sifields._sigchld.si_pid
        #else
            info.si_pid
        #endif
    }

    private func reap(blocking: Bool) -> Termination? {
        if let termination { return termination }
        // Wait for the exit without reaping, end what the leader left in its group while the group
        // id is still reserved by the unreaped leader, then reap.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | (blocking ? 0 : WNOHANG)) != 0 {
            guard errno == EINTR else { break }
        }
        if !blocking, exitedPid(info) == 0 { return nil }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                termination = .exited(-1)
                return termination
            }
        }
        // WIFEXITED / WTERMSIG, spelled out (the C macros are not imported).
        let signal = status & 0x7F
        termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        return termination
    }
}
