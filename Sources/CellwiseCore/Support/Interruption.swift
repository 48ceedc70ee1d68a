import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop: the evaluator refuses new evaluations once
/// one arrives, the search ends with ``SearchStop/interrupted``, and the command writes what it has,
/// marked partial.
public enum Interruption {
    private static let signalNumber = Atomic<Int32>(0)

    /// Installs handlers for SIGINT and SIGTERM that record the request (and do nothing else).
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            Interruption.signalNumber.store(signal, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these signals blocked; make sure they arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether a stop was requested.
    public static var isRequested: Bool { signalNumber.load(ordering: .relaxed) != 0 }

    /// The exit status for the signal received: 130 for SIGINT, 143 for SIGTERM (128 + signal).
    public static var exitStatus: Int32 {
        let signal = signalNumber.load(ordering: .relaxed)
        return signal == 0 ? 1 : 128 + signal
    }

    /// Requests a stop (tests; the handlers do this on a signal).
    package static func request(signal: Int32 = SIGINT) { signalNumber.store(signal, ordering: .relaxed) }

    /// Clears a request (tests).
    package static func reset() { signalNumber.store(0, ordering: .relaxed) }
}
