// Schema migrations: numbered steps that bring any database, new or old, to the schema this
// binary expects. Each step runs once, in order, inside its own transaction together with the
// schema_migrations row that records it, so a crash never leaves a step half applied.
//
// Steps are portable SQL (SQLite and PostgreSQL). Timestamps and uids are BIGINT, which SQLite
// treats as INTEGER and PostgreSQL keeps 64-bit (its INTEGER is 32-bit). Not thread-safe against
// itself: run it once at startup, before serving.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db.h"

namespace pinfold::store {

struct Migration {
    int64_t version;                      // 1, 2, 3...: applied in this order, never renumbered
    std::string description;              // for logs: "agents, api keys, workspaces"
    std::vector<std::string> statements;  // one SQL statement each
};

// Every migration this binary knows, in version order.
const std::vector<Migration>& AllMigrations();

// Applies the migrations not yet recorded in schema_migrations(version, applied_at_ms).
// Internal "Database schema version N is newer than this binary (M)" when the database was
// migrated by a newer Pinfold; any failing step returns its Db error and rolls back that step.
Status Migrate(Db& db);

// The same with an explicit list, for tests of the mechanism itself.
Status Migrate(Db& db, const std::vector<Migration>& migrations);

}  // namespace pinfold::store
