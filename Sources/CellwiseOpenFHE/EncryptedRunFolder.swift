import CellwiseCKKS
import CellwiseCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folder of an encrypted run: what makes a long run resumable and its batches spreadable
/// over machines.
///
/// - `run.json`: what the run is (plan, images, parameters, a fingerprint of the job); a folder
///   that holds another run is refused. `equivalent` may list the fingerprints the same run has in
///   later job formats (and `equivalence` how that was checked).
/// - `batches/batch-KKKK.json`: ciphertext K's decrypted logits and timings, written atomically by
///   the bridge as soon as the batch is decrypted; a finished batch is never computed again.
/// - `private/shard-i-of-n/` (mode 0700): the plaintext job (weights and images), the serialized
///   keys and the current batch's input ciphertexts, kept only while the shard has batches left,
///   so that a resumed run reads them instead of regenerating them; removed when it finishes.
/// - `profile.toml`: the profile probed for the run when none was given (reused on resume).
/// - `report.json`: the merged report, once every batch is done.
public struct EncryptedRunFolder: Sendable {
    /// One ciphertext's result as the bridge wrote it.
    public struct Record: Codable, Sendable, Equatable {
        /// The batch's index (its images are `firstImage ..< firstImage + logits.count`).
        public var batch: Int
        /// The index of its first image.
        public var firstImage: Int
        /// Decrypted logits, one row per image.
        public var logits: [[Double]]
        /// Seconds of homomorphic computation for the ciphertext.
        public var seconds: Double
        /// Bootstraps performed.
        public var bootstraps: Int
        /// Seconds the process that computed it took to make (or read) its keys.
        public var setupSeconds: Double
        /// Whether that process read serialized keys (a resumed run) rather than making them.
        public var keysRead: Bool
        /// The context's parameters.
        public var parameters: OpenFHEParameters
        /// CPU seconds of the computing process over the ciphertext (all its threads; absent in
        /// batches computed before Cellwise recorded it).
        public var cpuSeconds: Double?
        /// The computing process's peak resident memory when the ciphertext was done, in GB.
        public var peakGb: Double?
        /// The serialized keys' size (context, key pair, relinearisation, rotation and bootstrap keys), in GB.
        public var keyGb: Double?
    }

    private struct Identity: Codable, Equatable {
        var fingerprint: String
        var description: [String: String]
        /// Fingerprints of the same run described by later job formats (same weights, images,
        /// plan, polynomials and parameters; the circuit's description changed), with how that was
        /// established: a folder made by an earlier Cellwise stays readable.
        var equivalent: [String]? = nil
        var equivalence: String? = nil
    }

    /// The folder.
    public let url: URL

    /// Opens (or makes) the folder of the run described by `description`.
    ///
    /// - Parameter description: What identifies the run (the fingerprint is taken over it).
    /// - Throws: ``ConfigurationError`` (`--out`) when the folder holds another run.
    public init(url: URL, description: [String: String]) throws {
        self.url = url
        let fingerprint = SHA256.hex(
            of: [UInt8](description.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined().utf8))
        let identity = Identity(fingerprint: fingerprint, description: description)
        let file = url.appendingPathComponent("run.json")
        if let data = FileManager.default.contents(atPath: file.path) {
            guard let existing = try? JSONDecoder().decode(Identity.self, from: data) else {
                throw DataError(
                    file.path, "is not an encrypted run's description; delete the folder to start again",
                    reason: .malformed)
            }
            guard existing.fingerprint == fingerprint || existing.equivalent?.contains(fingerprint) == true else {
                // The readable keys first; the job's digest (weights, images, polynomials) last.
                let keys = description.keys.sorted { ($0 == "job" ? 1 : 0, $0) < ($1 == "job" ? 1 : 0, $1) }
                let key = keys.first { existing.description[$0] != description[$0] } ?? "fingerprint"
                throw ConfigurationError(
                    key: "--out",
                    problem: "\(url.path) holds another encrypted run (its \(key) is "
                        + "\(existing.description[key] ?? "absent"), not \(description[key] ?? "absent")); "
                        + "choose another folder or delete it")
            }
        } else {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(identity), to: file.path)
        }
    }

    /// Where the bridge writes the batch results.
    public var batchesURL: URL { url.appendingPathComponent("batches") }

    /// The file of batch `index`.
    public func batchURL(_ index: Int) -> URL {
        batchesURL.appendingPathComponent(String(format: "batch-%04d.json", index))
    }

    /// The finished batches among `0 ..< count`.
    ///
    /// - Throws: ``DataError`` naming a batch file that cannot be read (delete it to recompute).
    public func records(count: Int) throws -> [Int: Record] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var records = [Int: Record]()
        for index in 0..<count {
            let file = batchURL(index)
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            guard let record = try? decoder.decode(Record.self, from: data), record.batch == index else {
                throw DataError(file.path, "is not batch \(index)'s result; delete it to compute the batch again")
            }
            records[index] = record
        }
        return records
    }

    /// The shard's private folder (made with mode 0700, as is `private/`).
    ///
    /// The secret key is written there, so neither folder may be a symbolic link (it could lead
    /// anywhere, another user's folder included) or belong to another user, and nothing inside
    /// may be a link: each is checked with `lstat`, which does not follow links, and refused.
    ///
    /// - Throws: ``DataError`` naming the folder when it is a link, not a folder, or not ours.
    public func privateURL(for shard: Shard) throws -> URL {
        let folder = url.appendingPathComponent("private")
        let own = folder.appendingPathComponent("shard-\(shard.index)-of-\(shard.count)")
        for directory in [folder, own] {
            try Self.makePrivateDirectory(directory.path)
        }
        try Self.refuseLinks(under: own.path)
        return own
    }

    /// Makes `path` a folder of mode 0700 owned by this user, or checks that it is one.
    private static func makePrivateDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw DataError(path, "cannot make the private folder (\(String(cString: strerror(errno))))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw DataError(path, "cannot inspect the private folder (\(String(cString: strerror(errno))))")
        }
        let kind = info.st_mode & S_IFMT
        guard kind != S_IFLNK else {
            throw DataError(
                path, "is a symbolic link; secret keys are written only into a real folder of this user's (remove it)")
        }
        guard kind == S_IFDIR else { throw DataError(path, "is not a folder (remove it)") }
        guard info.st_uid == geteuid() else {
            throw DataError(
                path,
                "belongs to user \(info.st_uid), not to this user (\(geteuid())); secret keys are not written there")
        }
        // An existing folder keeps its mode unless told.
        guard chmod(path, 0o700) == 0 else {
            throw DataError(path, "cannot make the private folder 0700 (\(String(cString: strerror(errno))))")
        }
    }

    /// Refuses a symbolic link anywhere under `path` (a resumed run reads and writes keys there).
    private static func refuseLinks(under path: String) throws {
        guard let names = FileManager.default.enumerator(atPath: path) else { return }
        for case let name as String in names {
            var info = stat()
            let item = path + "/" + name
            if lstat(item, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                throw DataError(
                    item, "is a symbolic link inside the private folder; remove it (keys are written there)")
            }
        }
    }

    /// Removes a shard's private folder (its keys, inputs and plaintext job), and `private/` when empty.
    public func removePrivate(for shard: Shard) {
        let folder = url.appendingPathComponent("private")
        try? FileManager.default.removeItem(
            at: folder.appendingPathComponent("shard-\(shard.index)-of-\(shard.count)"))
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty ?? false {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Removes every private folder.
    public func removeAllPrivate() {
        try? FileManager.default.removeItem(at: url.appendingPathComponent("private"))
    }
}
