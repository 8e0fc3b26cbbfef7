// The embedded Db driver over the SQLite C API: one connection, guarded by one recursive mutex.
//
// One connection keeps transactions simple and is fast enough for a single server (WAL lets other
// processes read while we write); a server that outgrows it moves to PostgreSQL, not to a pool.
// The mutex is recursive so that a transaction body can call back into the same Db on its own
// thread while other threads wait. Prepared statements are cached per SQL text.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct SqliteOptions {
    // How long a statement waits for another process's lock before the call fails with
    // Unavailable. Long enough to ride out a checkpoint; tests shorten it.
    int busyTimeoutMs = 5000;
};

// Opens (creating it if needed, mode 0600, as it holds key ids and gateway tokens) the database
// file at path, with journal_mode=WAL, synchronous=NORMAL (durable at checkpoints, never corrupt),
// foreign_keys=ON. ":memory:" opens a private in-memory database. Internal with SQLite's message
// when the file cannot be opened or configured.
Result<std::unique_ptr<Db>> OpenSqliteDb(const std::string& path,
                                         const SqliteOptions& options = {});

}  // namespace pinfold::store
