/// One way to approximate a cell's activation: a function, a fitting method and a degree.
///
/// Plan text writes a candidate as one short token, `[s]D[m][@a:b]`:
///
/// | token | candidate |
/// |---|---|
/// | `17` | tanh, uniform least squares of degree 17 on the default interval (the paper's) |
/// | `17@-12:12` | the same on [-12, 12] |
/// | `17r` | uniform least squares on the cell's observed range (with a margin) |
/// | `17w` | least squares weighted by the cell's observed pre-activations |
/// | `17m` | minimax (Remez) on the default interval; `17m@-6:6` on [-6, 6] |
/// | `s7w` | the sigmoid, weighted, degree 7 |
///
/// `range` and `weighted` fits differ from cell to cell: they are made from each cell's observed
/// pre-activations (``CellDistribution``) on a fitting split.
public struct Candidate: Hashable, Sendable, CustomStringConvertible {
    /// How the polynomial is fitted.
    public enum Method: String, Hashable, Sendable, CaseIterable {
        /// Least squares, uniform on an interval (default: the library's, [-8, 8] as in the paper).
        case uniform
        /// Least squares, uniform on the cell's observed range widened by a margin.
        case range
        /// Least squares weighted by the cell's observed pre-activations, with a uniform floor.
        case weighted
        /// The minimax (equioscillating) polynomial on an interval, by the Remez exchange.
        case minimax

        /// The method's letter in a token ("" for uniform).
        var letter: String {
            switch self {
            case .uniform: ""
            case .range: "r"
            case .weighted: "w"
            case .minimax: "m"
            }
        }
    }

    /// The function approximated.
    public let function: ActivationFunction
    /// The fitting method.
    public let method: Method
    /// The polynomial degree, 1-63.
    public let degree: Int
    /// The interval of a `uniform` or `minimax` fit (nil: the library's default).
    public let interval: ClosedRange<Double>?

    /// The paper's candidate: tanh, uniform least squares on the default interval.
    public init(degree: Int) {
        self.function = .tanh
        self.method = .uniform
        self.degree = degree
        self.interval = nil
    }

    /// A candidate; its values are checked.
    ///
    /// - Throws: ``ConfigurationError`` for a degree outside 1-63, or an interval on a method
    ///   that takes its interval from the data.
    public init(
        function: ActivationFunction = .tanh, method: Method = .uniform, degree: Int,
        interval: ClosedRange<Double>? = nil
    ) throws {
        guard (1...Activation.maximumDegree).contains(degree) else {
            throw ConfigurationError(key: "degree", problem: "must be 1-\(Activation.maximumDegree), got \(degree)")
        }
        if let interval {
            guard method == .uniform || method == .minimax else {
                throw ConfigurationError(
                    key: "interval", problem: "a \(method.rawValue) fit takes its interval from the data; give none")
            }
            guard interval.lowerBound < interval.upperBound, interval.lowerBound.isFinite, interval.upperBound.isFinite
            else {
                throw ConfigurationError(key: "interval", problem: "must be a finite [a, b] with a < b")
            }
        }
        self.function = function
        self.method = method
        self.degree = degree
        self.interval = interval
    }

    /// Parses a token (`17`, `7w`, `s7w`, `17m@-6:6`).
    ///
    /// - Throws: ``ConfigurationError`` (key `candidate`) saying what is wrong.
    public init(parsing token: String) throws {
        func fail(_ problem: String) -> ConfigurationError {
            ConfigurationError(key: "candidate \"\(token)\"", problem: problem)
        }
        var rest = Substring(token)
        var function = ActivationFunction.tanh
        if rest.hasPrefix("s") {
            function = .sigmoid
            rest = rest.dropFirst()
        }
        var intervalText: Substring?
        if let at = rest.firstIndex(of: "@") {
            intervalText = rest[rest.index(after: at)...]
            rest = rest[..<at]
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let degree = Int(digits) else {
            throw fail("expected a degree, e.g. 17, 17w, 17r, 17m or s7w")
        }
        let letter = String(rest.dropFirst(digits.count))
        guard
            let method = Method.allCases.first(where: {
                $0.letter == letter || $0.rawValue.first.map(String.init) == letter
            })
        else {
            throw fail("unknown method \"\(letter)\" (none or u: uniform, r: range, w: weighted, m: minimax)")
        }
        var interval: ClosedRange<Double>?
        if let intervalText {
            let bounds = intervalText.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count == 2, let a = Double(bounds[0]), let b = Double(bounds[1]), a < b else {
                throw fail("interval \"\(intervalText)\" is not a:b with a < b")
            }
            interval = a...b
        }
        do {
            try self.init(function: function, method: method, degree: degree, interval: interval)
        } catch let error as ConfigurationError {
            throw fail(error.problem)
        }
    }

    /// The shortest token.
    public var description: String {
        var text = (function == .sigmoid ? "s" : "") + String(degree) + method.letter
        if let interval { text += "@\(Self.number(interval.lowerBound)):\(Self.number(interval.upperBound))" }
        return text
    }

    private static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// The same candidate for another function (a plan gives each site its own function).
    public func with(function: ActivationFunction) -> Candidate {
        // The values were checked when `self` was made.
        Candidate(checkedFunction: function, method: method, degree: degree, interval: interval)
    }

    private init(checkedFunction: ActivationFunction, method: Method, degree: Int, interval: ClosedRange<Double>?) {
        self.function = checkedFunction
        self.method = method
        self.degree = degree
        self.interval = interval
    }

    /// The token without the function's prefix: what a plan writes, the site saying which
    /// function it computes (`7w` for `s7w`).
    public var siteToken: String {
        function == .sigmoid ? String(description.dropFirst()) : description
    }

    /// Whether the fit depends on the cell (it is made from the cell's observed pre-activations).
    public var isPerCell: Bool { method == .range || method == .weighted }
}

extension Candidate: Comparable {
    /// Cost order: by degree (the cost model prices a candidate by its degree), then by method and
    /// text, so that lists sort the same way everywhere.
    public static func < (a: Candidate, b: Candidate) -> Bool {
        (a.degree, a.description) < (b.degree, b.description)
    }
}
