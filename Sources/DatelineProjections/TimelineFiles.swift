import DatelineCore
import Foundation

/// Where the timelines live on disk: a directory beside the log (`dateline.sqlite` →
/// `dateline.timelines/`) holding one SQLite file per projection (`statements.sqlite`,
/// `tensions.sqlite`).
///
/// The files are derived data: each holds one projection's tables and its checkpoint, and a
/// missing, foreign-version or stale file is rebuilt from the log. One file per projection
/// lets a rebuild write both on two threads at once, and lets a rebuild of one replace it alone.
/// A rebuild writes a fresh file in the same directory (`statements.rebuild-<pid>-<n>.sqlite`)
/// and renames it over the live one.
public struct TimelineFiles: Sendable, Equatable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The default place for a log's timelines: the log's path without its `.sqlite` (or
    /// `.db`) extension, plus `.timelines`.
    public init(besideLog logPath: String) {
        var stem = logPath
        for ext in [".sqlite3", ".sqlite", ".db"] where stem.hasSuffix(ext) && stem.count > ext.count {
            stem.removeLast(ext.count)
            break
        }
        self.init(directory: stem + ".timelines")
    }

    /// The live file of a projection.
    public func path(of projection: String) -> String { directory + "/" + projection + ".sqlite" }

    /// A new name for a fresh file of a projection, unique to this process and call.
    func freshPath(of projection: String) -> String {
        directory + "/" + projection + ".rebuild-\(getpid())-\(FreshFileCounter.next()).sqlite"
    }

    /// Fresh files left by processes that are gone (killed during a rebuild): removed, with
    /// their journals. A fresh file of a live process is left alone (it may be building).
    func removeAbandonedFreshFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let range = name.range(of: ".rebuild-") else { continue }
            let pidText = name[range.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Creates the directory when it is missing.
    func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ProjectionError.other("cannot create the timelines directory \(directory): \(error.localizedDescription)")
        }
    }
}

/// Numbers the fresh files of this process.
private enum FreshFileCounter {
    nonisolated(unsafe) private static var value = 0
    private static let lock = NSLock()
    static func next() -> Int { lock.withLock { value += 1; return value } }
}

/// The identity of a file on disk (device and inode): a connection opened on a path keeps
/// reading the same file after another one is renamed over that path, so a connection compares
/// the identity it opened with the path's current one to notice a swap.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// The file now at `path`, or nil when there is none.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

enum FileSync {
    /// Flushes a file (or directory) to disk: a fresh file is written without syncs, so it is
    /// synced once before it is renamed into place, and the directory after the rename.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ProjectionError.other("cannot open \(path) to sync it (errno \(errno))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ProjectionError.other("cannot sync \(path) (errno \(errno))") }
    }
}

/// An advisory lock (`flock`) on the timelines directory, which makes a rebuild's renames one
/// step for every connection: a rebuild holds it exclusively from its first rename to its
/// last, a connection holds it shared while it opens the files and checks that they belong
/// together. So no connection opens one projection's new file beside another's old one while
/// a rebuild is between its renames; and the kernel drops the lock when the process dies, so
/// a killed rebuild never leaves it held (what it leaves is noticed by the check, see
/// `TimelineStore`). Whoever takes it holds no SQLite lock meanwhile, so the two kinds of lock
/// never wait on each other.
///
/// Threading: owns a file descriptor; one per use, released by `release()` or when dropped.
final class DirectoryLock {
    private var fd: Int32

    init(_ directory: String, exclusive: Bool) throws {
        fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProjectionError.other("cannot open the timelines directory \(directory) to lock it (errno \(errno))")
        }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno == EINTR { continue }
            let code = errno
            Glibc.close(fd)
            fd = -1
            throw ProjectionError.other("cannot lock the timelines directory \(directory) (errno \(code))")
        }
    }

    func release() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { release() }
}

@available(*, unavailable) extension DirectoryLock: Sendable {}
