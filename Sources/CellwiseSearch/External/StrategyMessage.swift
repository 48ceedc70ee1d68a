import Foundation

/// The messages of the external-strategy protocol (version ``ExternalStrategy/protocolVersion``),
/// typed: what Cellwise sends (``Problem``, ``Results``, ``Stop``) is encoded from these, and what
/// a strategy sends is parsed into a ``Request`` or refused with a sentence saying what is wrong.
/// The JSON Schema of every message is `strategies/protocol.schema.json` (the Python helper
/// validates what it receives against it); `docs/external-strategies.md` has a transcript.
public enum StrategyMessage {
    /// The first message: everything a strategy needs to search.
    public struct Problem: Encodable, Equatable, Sendable {
        /// The budget.
        public struct Budget: Encodable, Equatable, Sendable {
            /// Evaluations allowed (nil: no limit).
            public var evaluations: Int?
            /// Seconds allowed (nil: no limit).
            public var seconds: Double?
            /// Evaluations already spent (the reference plan's).
            public var used: Int

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(evaluations, forKey: .evaluations)  // null when unlimited
                try container.encode(seconds, forKey: .seconds)
                try container.encode(used, forKey: .used)
            }

            enum CodingKeys: String, CodingKey { case evaluations, seconds, used }
        }

        /// One candidate activation (a gene is an index into the list).
        public struct Candidate: Encodable, Equatable, Sendable {
            /// Its plan token (`7`, `17w`).
            public var token: String
            /// Its polynomial degree.
            public var degree: Int
        }

        /// The reference plan and its measurement.
        public struct Reference: Encodable, Equatable, Sendable {
            public var genes: [Int]
            public var accuracy: Double
            public var latencySeconds: Double
            public var bootstraps: Int

            enum CodingKeys: String, CodingKey {
                case genes, accuracy, bootstraps
                case latencySeconds = "latency_seconds"
            }
        }

        public var type = "problem"
        public var `protocol` = ExternalStrategy.protocolVersion
        public var strategy: String
        public var seed: UInt64
        public var budget: Budget
        /// Genes per plan.
        public var sites: Int
        public var siteNames: [String]
        public var candidates: [Candidate]
        public var reference: Reference
        /// The lowest validation accuracy within tolerance.
        public var threshold: Double
        /// The options passed through from the config.
        public var options: [String: String]

        enum CodingKeys: String, CodingKey {
            case type, `protocol`, strategy, seed, budget, sites, candidates, reference, threshold, options
            case siteNames = "site_names"
        }
    }

    /// One evaluated plan.
    public struct Result: Encodable, Equatable, Sendable {
        public var genes: [Int]
        /// Validation accuracy.
        public var accuracy: Double
        public var latencySeconds: Double
        public var bootstraps: Int
        public var withinTolerance: Bool
        /// Whether the plan had been evaluated before (it cost nothing).
        public var cached: Bool

        enum CodingKeys: String, CodingKey {
            case genes, accuracy, bootstraps, cached
            case latencySeconds = "latency_seconds"
            case withinTolerance = "within_tolerance"
        }
    }

    /// The answer to an ask: one result per plan, in order (fewer when a stop follows).
    public struct Results: Encodable, Equatable, Sendable {
        public var type = "results"
        public var results: [Result]
    }

    /// The search is over: `budget` or `interrupted`.
    public struct Stop: Encodable, Equatable, Sendable {
        public var type = "stop"
        public var reason: String
    }

    /// A message from the strategy.
    public enum Request: Equatable, Sendable {
        /// The versions of what it runs with (`package: version`).
        case hello(packages: [String: String])
        /// Plans to evaluate, each a list of candidate indices.
        case ask(plans: [[Int]])
        /// It is finished.
        case done

        /// Parses one line, checking it against the problem (`sites` genes per plan, `choices`
        /// candidates).
        ///
        /// - Throws: ``ProtocolViolation`` saying what is wrong, in words the error message ends with.
        public init(parsing line: String, sites: Int, choices: Int) throws(ProtocolViolation) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)),
                let message = object as? [String: Any]
            else { throw ProtocolViolation("wrote a line that is not a JSON object: \(Self.excerpt(line))") }
            switch message["type"] as? String {
            case "hello":
                let packages = (message["packages"] as? [String: Any]) ?? [:]
                self = .hello(packages: packages.mapValues { "\($0)" })
            case "done":
                self = .done
            case "ask":
                self = .ask(plans: try Self.plans(message, sites: sites, choices: choices))
            case let type?:
                throw ProtocolViolation("sent a message of unknown type \"\(type)\" (expected ask, done or hello)")
            case nil:
                throw ProtocolViolation("sent a message without a string \"type\": \(Self.excerpt(line))")
            }
        }

        private static func plans(_ message: [String: Any], sites: Int, choices: Int) throws(ProtocolViolation)
            -> [[Int]]
        {
            guard let plans = message["plans"] as? [Any], !plans.isEmpty else {
                throw ProtocolViolation("sent an ask without a non-empty \"plans\" array")
            }
            guard plans.count <= ExternalStrategy.maximumBatch else {
                throw ProtocolViolation(
                    "asked for \(plans.count) plans at once (at most \(ExternalStrategy.maximumBatch))")
            }
            var result = [[Int]]()
            for (index, value) in plans.enumerated() {
                guard let numbers = value as? [Any],
                    numbers.allSatisfy({ ($0 as? NSNumber).map { !isBoolean($0) } ?? false })
                else { throw ProtocolViolation("plan \(index) of an ask is not an array of integers") }
                let genes = numbers.map { ($0 as! NSNumber).doubleValue }
                guard genes.count == sites else {
                    throw ProtocolViolation("asked for a plan of \(genes.count) genes; the problem has \(sites) sites")
                }
                if let bad = genes.firstIndex(where: { $0 != $0.rounded() || $0 < 0 || $0 >= Double(choices) }) {
                    throw ProtocolViolation(
                        "asked for candidate \(format(genes[bad])) at site \(bad); candidates are 0-\(choices - 1)")
                }
                result.append(genes.map { Int($0) })
            }
            return result
        }

        private static func isBoolean(_ number: NSNumber) -> Bool {
            // JSON true and false decode to NSNumbers of a char (objCType "c").
            String(cString: number.objCType) == "c"
        }

        static func excerpt(_ text: String) -> String {
            text.count > 80 ? "\"\(text.prefix(77))...\"" : "\"\(text)\""
        }

        /// `3` for a whole number, `2.5` otherwise (for messages).
        static func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    /// A message the protocol does not allow.
    public struct ProtocolViolation: Error, Equatable, CustomStringConvertible {
        /// What the strategy did, as the end of a sentence about it.
        public var problem: String

        init(_ problem: String) { self.problem = problem }

        public var description: String { problem }
    }

    /// One line of JSON (keys sorted) for `message`.
    static func line(_ message: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(message), as: UTF8.self)
    }
}
