import CellwiseCKKS
import CellwiseCore
import Foundation

/// A strategy that runs in another process (a Python optimizer, say) and talks to Cellwise in
/// JSON lines over its standard input and output: Cellwise sends the problem, the process asks
/// for plans, Cellwise evaluates them through the budget-enforcing evaluator and answers (or
/// says stop). Evaluation, caching, the budget, the trace and resume stay in Cellwise, so an
/// external strategy cannot overspend and its runs are recorded like built-in ones. The protocol
/// (version ``protocolVersion``) is documented with a transcript in `docs/external-strategies.md`.
///
/// Options: `command` (a JSON array, e.g. `["{python}", "strategies/optuna_tpe.py"]`, or words
/// separated by spaces; `{python}` is the Python of the adapters' environment, made on first use
/// from `strategies/requirements.txt`), `timeout` (seconds to wait for each message, default 600), `log` (the file
/// the process's standard error goes to; default beside the system's temporary files), and any
/// other option, passed to the process in the problem's `options`.
public struct ExternalStrategy: SearchStrategy {
    public static let name = "external"
    public static let summary =
        "A strategy in another process (JSON lines on stdin/stdout); Cellwise evaluates and enforces the budget."
    public static let options = [
        StrategyOption("command", "the program and its arguments: a JSON array or words separated by spaces"),
        StrategyOption("timeout", "seconds to wait for each message from the process (default 600)"),
        StrategyOption("log", "where the process's standard error goes (default: a file in the temporary directory)"),
        StrategyOption("label", "the strategy's name in messages (default: external)"),
    ]
    public static let isStochastic = true
    public static let acceptsOtherOptions = true

    /// `file:sha256` of every argument of the command that is a file (the script), for traces.
    public var scriptDigests: [String] {
        command.dropFirst().filter { FileManager.default.fileExists(atPath: $0) }.map { path in
            let bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
            return "\((path as NSString).lastPathComponent):\(SHA256.hex(of: bytes))"
        }
    }

    /// The protocol version Cellwise speaks.
    public static let protocolVersion = 1
    /// Plans an external strategy may ask for in one message.
    public static let maximumBatch = 4096

    /// The program and its arguments.
    public var command: [String]
    /// Seconds to wait for each message.
    public var timeout: Double
    /// Where standard error goes.
    public var logPath: String
    /// The name used in messages.
    public var label: String
    /// Options passed through to the process.
    public var passed: [String: String]

    public var runName: String { label }

    public init(options: StrategyOptions) throws {
        guard let text = options.values["command"], !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigurationError(key: "command", problem: "is required: the program to run and its arguments")
        }
        if text.hasPrefix("[") {
            guard let words = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String], !words.isEmpty
            else { throw ConfigurationError(key: "command", problem: "is not a JSON array of strings: \(text)") }
            command = words
        } else {
            command = text.split(separator: " ").map(String.init)
        }
        timeout = try options.double("timeout", default: 600, in: 0.001...86_400)
        label = options.values["label"] ?? Self.name
        logPath =
            options.values["log"]
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("cellwise-\(label)-\(UUID().uuidString).log")
        passed = options.values.filter { !["command", "timeout", "log", "label"].contains($0.key) }
    }

    public mutating func run(in context: SearchContext) throws {
        let process: ExternalProcess
        do {
            process = try ExternalProcess(command: StrategyEnvironment.resolve(command), logPath: logPath)
        } catch let error as ExternalProcessError {
            throw fail(error.description)
        }
        var finished = false
        defer { if !finished { process.finish(grace: 0.5) } }
        guard process.send(try StrategyMessage.line(problem(context))) else { throw fail(ended(process)) }
        var cachedRun = 0
        let cachedLimit = max(1000, 10 * context.space.freeCells.count)
        while true {
            let text: String
            do {
                text = try process.readLine(timeout: timeout)
            } catch .timedOut {
                throw fail("sent nothing for \(StrategyMessage.Request.format(timeout)) s (the timeout option)")
            } catch .tooLong {
                throw fail("wrote a line longer than 64 MiB")
            } catch {
                throw fail(ended(process))
            }
            let request: StrategyMessage.Request
            do {
                request = try StrategyMessage.Request(
                    parsing: text, sites: context.space.freeCells.count, choices: context.space.candidates.count)
            } catch {
                throw fail(error.problem)
            }
            switch request {
            case .hello(let packages):
                // What the process runs with goes to the trace (the header holds the command and script digest).
                if !packages.isEmpty {
                    let versions = packages.map { "\($0.key)==\($0.value)" }.sorted().joined(separator: ",")
                    try context.evaluator.onNote?(["strategy": label, "packages": versions])
                }
                continue
            case .done:
                finished = true
                process.finish()
                return
            case .ask(let plans):
                var results = [StrategyMessage.Result]()
                for genes in plans {
                    let plan = context.space.plan(genes: genes)
                    let cached = context.evaluator.knownScore(of: plan) != nil
                    let score: PlanScore
                    do {
                        score = try context.evaluator.evaluate(plan)
                    } catch let stop as SearchStop {
                        // Answer what was evaluated, then say why the search ends.
                        _ = process.send(try StrategyMessage.line(StrategyMessage.Results(results: results)))
                        _ = process.send(
                            try StrategyMessage.line(
                                StrategyMessage.Stop(reason: stop == .budgetExhausted ? "budget" : "interrupted")))
                        finished = true
                        process.finish()
                        throw stop
                    }
                    cachedRun = cached ? cachedRun + 1 : 0
                    if cachedRun > cachedLimit {
                        throw fail(
                            "asked for \(cachedRun) plans in a row that were already evaluated (a search that no "
                                + "longer explores)")
                    }
                    results.append(
                        StrategyMessage.Result(
                            genes: genes, accuracy: score.accuracy, latencySeconds: score.latencySeconds,
                            bootstraps: score.bootstraps, withinTolerance: context.isWithinTolerance(score),
                            cached: cached))
                }
                guard process.send(try StrategyMessage.line(StrategyMessage.Results(results: results))) else {
                    throw fail(ended(process))
                }
            }
        }
    }

    /// The first message: everything the process needs to search.
    func problem(_ context: SearchContext) -> StrategyMessage.Problem {
        let space = context.space
        let reference = context.reference
        return StrategyMessage.Problem(
            strategy: label, seed: context.seed,
            budget: .init(
                evaluations: context.evaluator.budget.evaluations, seconds: context.evaluator.budget.seconds,
                used: context.evaluator.used),
            sites: space.freeCells.count, siteNames: space.freeCells.map { space.layout.name(of: $0) },
            candidates: space.candidates.map { .init(token: $0.description, degree: $0.degree) },
            reference: .init(
                genes: space.genes(of: reference.plan), accuracy: reference.accuracy,
                latencySeconds: reference.latencySeconds, bootstraps: reference.bootstraps),
            threshold: context.threshold, options: passed)
    }

    private func ended(_ process: ExternalProcess) -> String {
        let status = process.finish(grace: 2)
        let how = status.map { "exit status \($0)" } ?? process.endDescription
        let tail = process.logTail()
        return "ended before saying done (\(how))" + (tail.isEmpty ? "" : "; its stderr ends: \(tail)")
            + " (log: \(logPath))"
    }

    private func fail(_ problem: String) -> ExternalStrategyError {
        ExternalStrategyError(strategy: label, problem: problem)
    }
}

/// An external strategy that misbehaved: crashed, hung, or wrote what the protocol does not allow.
public struct ExternalStrategyError: Error, CustomStringConvertible, Equatable {
    /// The strategy's name.
    public var strategy: String
    /// What it did.
    public var problem: String

    public var description: String { "external strategy \(strategy) \(problem)" }
}
