// Db: the one interface every repository talks to, so SQLite (embedded, the default) and
// PostgreSQL (shared by several servers) are interchangeable without touching callers.
//
// SQL is portable: `?` placeholders (the PostgreSQL driver rewrites them to $1, $2, ...), no
// driver-specific syntax in repositories. Results come back as rows of DbValue.
//
// Errors, the same for every driver:
//   Conflict     a UNIQUE or PRIMARY KEY constraint was violated (message from the driver)
//   Unavailable  the database stayed locked/busy after the driver's retries
//   Internal     anything else, with the driver's message
//
// Thread-safety: every Db is safe to share between threads. A transaction holds the Db for its
// whole body: other threads' calls wait until it commits or rolls back, so a body must never wait
// for another thread that uses the same Db.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace pinfold::store {

// NULL, INTEGER, REAL or TEXT. Byte strings are TEXT too; store binary data encoded (base64) so
// it survives PostgreSQL's text columns, which refuse NUL bytes.
using DbValue = std::variant<std::monostate, int64_t, double, std::string>;

// A parameter for a nullable column: the value, or NULL.
template <typename T>
DbValue Nullable(const std::optional<T>& v) {
    return v ? DbValue(*v) : DbValue(std::monostate{});
}

// One result row, columns in SELECT order. Getters take the column index; reading a NULL column
// with a non-optional getter gives 0 or "" (use the getOpt* forms for nullable columns).
struct DbRow {
    std::vector<DbValue> values;

    size_t size() const { return values.size(); }
    bool isNull(size_t i) const;
    int64_t getInt(size_t i) const;
    std::optional<int64_t> getOptInt(size_t i) const;
    double getDouble(size_t i) const;
    std::string getText(size_t i) const;
    std::optional<std::string> getOptText(size_t i) const;
};

class Db {
  public:
    virtual ~Db() = default;

    // Runs one statement and returns every row it produced (empty for statements without rows).
    virtual Result<std::vector<DbRow>> query(std::string_view sql,
                                             const std::vector<DbValue>& params = {}) = 0;

    // Runs one statement and returns how many rows it inserted, updated or deleted.
    virtual Result<int64_t> exec(std::string_view sql, const std::vector<DbValue>& params = {}) = 0;

    // Runs body inside a transaction: commits when it returns OK, rolls back otherwise (and when
    // it throws; the exception then continues). Returns body's Status, or the commit's error. A
    // transaction started from inside a body nests in the outer one as a savepoint: its failure
    // undoes only its own changes, and nothing is durable until the outermost one commits.
    virtual Status transaction(const std::function<Status(Db&)>& body) = 0;
};

}  // namespace pinfold::store
