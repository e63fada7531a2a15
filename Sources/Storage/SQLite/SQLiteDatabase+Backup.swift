import CSQLite
import Glibc

extension SQLiteDatabase {
    /// A consistent copy of the database at `path`, made while it serves: SQLite's online backup API
    /// copies every page in one step from a read connection, which sees one snapshot however many writes
    /// commit meanwhile (WAL). Written to a temporary file, synced, then renamed, so `path` is either
    /// absent or whole.
    public func backup(to path: String) throws {
        let temporary = path + ".partial"
        unlink(temporary)
        var opened: OpaquePointer?
        guard sqlite3_open_v2(temporary, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let destination = opened else {
            sqlite3_close(opened)
            throw StorageError.backupFailed("cannot create \(temporary)")
        }
        do {
            try readers.withConnection { source in
                guard let backup = sqlite3_backup_init(destination, "main", source.handle, "main") else {
                    throw StorageError.backupFailed(String(cString: sqlite3_errmsg(destination)))
                }
                let stepped = sqlite3_backup_step(backup, -1)
                guard sqlite3_backup_finish(backup) == SQLITE_OK, stepped == SQLITE_DONE else {
                    throw StorageError.backupFailed(String(cString: sqlite3_errmsg(destination)))
                }
            }
            // The copy keeps the source's WAL mode; fold it into one file before it is moved.
            guard sqlite3_exec(destination, "PRAGMA journal_mode=DELETE", nil, nil, nil) == SQLITE_OK else {
                throw StorageError.backupFailed(String(cString: sqlite3_errmsg(destination)))
            }
        } catch {
            sqlite3_close(destination)
            unlink(temporary)
            throw error
        }
        sqlite3_close(destination)
        do {
            let fd = try FileSystem.open(temporary, O_RDONLY)
            do { try FileSystem.fsync(fd, path: temporary) } catch { Glibc.close(fd); throw error }
            try FileSystem.close(fd, path: temporary)
            try FileSystem.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        try AtomicFile.fsyncDirectory(FileSystem.parent(of: path))
    }
}
