#include "store/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace pinfold::store {
namespace {

// Enough for every statement the repositories use; past it, statements are prepared per call.
constexpr size_t kMaxCachedStatements = 256;

bool IsBusy(int rc) {
    int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

bool IsUniqueViolation(int rc) {
    return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

// True when [tail, end) holds nothing but whitespace and semicolons. Bounded by end because the
// caller's SQL is a string_view, not necessarily NUL-terminated.
bool OnlyTrailingNoise(const char* tail, const char* end) {
    for (; tail != nullptr && tail < end; ++tail) {
        if (*tail != ';' && *tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != '\r') {
            return false;
        }
    }
    return true;
}

class SqliteDb final : public Db {
  public:
    explicit SqliteDb(sqlite3* db) : db_(db) {}

    ~SqliteDb() override {
        for (auto& [sql, stmt] : cache_)
            sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }

    Result<std::vector<DbRow>> query(std::string_view sql,
                                     const std::vector<DbValue>& params) override {
        std::lock_guard lock(mutex_);
        std::vector<DbRow> rows;
        PINFOLD_TRY(runLocked(sql, params, &rows));
        return rows;
    }

    Result<int64_t> exec(std::string_view sql, const std::vector<DbValue>& params) override {
        std::lock_guard lock(mutex_);
        int64_t before = sqlite3_total_changes64(db_);
        PINFOLD_TRY(runLocked(sql, params, nullptr));
        return sqlite3_total_changes64(db_) - before;
    }

    Status transaction(const std::function<Status(Db&)>& body) override;

  private:
    // A prepared statement for one call: borrowed from the cache (reset on release) or owned.
    class Lease {
      public:
        Lease(sqlite3_stmt* stmt, bool owned) : stmt_(stmt), owned_(owned) {}
        Lease(Lease&& other) noexcept : stmt_(other.stmt_), owned_(other.owned_) {
            other.stmt_ = nullptr;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (stmt_ == nullptr)
                return;
            if (owned_) {
                sqlite3_finalize(stmt_);
            } else {
                sqlite3_reset(stmt_);
                sqlite3_clear_bindings(stmt_);
            }
        }
        sqlite3_stmt* get() const { return stmt_; }

      private:
        sqlite3_stmt* stmt_;
        bool owned_;
    };

    Status errorLocked(int rc) const {
        if (IsUniqueViolation(rc))
            return Status::Conflict(sqlite3_errmsg(db_));
        if (IsBusy(rc))
            return Status::Unavailable("Database is busy");
        return Status::Internal(sqlite3_errmsg(db_));
    }

    Result<Lease> prepareLocked(std::string_view sql);
    Status bindLocked(sqlite3_stmt* stmt, const std::vector<DbValue>& params);
    Status runLocked(std::string_view sql, const std::vector<DbValue>& params,
                     std::vector<DbRow>* rows);
    Status execPlainLocked(const char* sql) {
        int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
        return rc == SQLITE_OK ? Status::Ok() : errorLocked(rc);
    }

    std::recursive_mutex mutex_;
    sqlite3* const db_;                                     // guarded by mutex_
    std::unordered_map<std::string, sqlite3_stmt*> cache_;  // guarded by mutex_
    int transactionDepth_ = 0;                              // guarded by mutex_
};

Result<SqliteDb::Lease> SqliteDb::prepareLocked(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end())
        return Lease(it->second, false);

    bool cacheIt = cache_.size() < kMaxCachedStatements;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                cacheIt ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
    if (rc != SQLITE_OK)
        return errorLocked(rc);
    if (stmt == nullptr)
        return Status::Internal("Db: empty SQL statement");
    // A second statement would be silently ignored by SQLite and unsupported by libpq's
    // parameterised calls, so refuse it loudly.
    if (!OnlyTrailingNoise(tail, sql.data() + sql.size())) {
        sqlite3_finalize(stmt);
        return Status::Internal("Db: one SQL statement per call");
    }
    if (!cacheIt)
        return Lease(stmt, true);
    cache_.emplace(std::move(key), stmt);
    return Lease(stmt, false);
}

Status SqliteDb::bindLocked(sqlite3_stmt* stmt, const std::vector<DbValue>& params) {
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
        return Status::Internal("Db: statement expects " + std::to_string(expected) +
                                " parameters, got " + std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
        int index = static_cast<int>(i) + 1;
        const DbValue& v = params[i];
        int rc = SQLITE_OK;
        if (const auto* n = std::get_if<int64_t>(&v)) {
            rc = sqlite3_bind_int64(stmt, index, *n);
        } else if (const auto* d = std::get_if<double>(&v)) {
            rc = sqlite3_bind_double(stmt, index, *d);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
        } else {
            rc = sqlite3_bind_null(stmt, index);
        }
        if (rc != SQLITE_OK)
            return errorLocked(rc);
    }
    return Status::Ok();
}

Status SqliteDb::runLocked(std::string_view sql, const std::vector<DbValue>& params,
                           std::vector<DbRow>* rows) {
    PINFOLD_ASSIGN_OR_RETURN(Lease lease, prepareLocked(sql));
    sqlite3_stmt* stmt = lease.get();
    PINFOLD_TRY(bindLocked(stmt, params));
    while (true) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            return Status::Ok();
        if (rc != SQLITE_ROW)
            return errorLocked(rc);
        if (rows == nullptr)
            continue;
        int columns = sqlite3_column_count(stmt);
        DbRow row;
        row.values.reserve(columns);
        for (int c = 0; c < columns; ++c) {
            switch (sqlite3_column_type(stmt, c)) {
                case SQLITE_INTEGER:
                    row.values.emplace_back(sqlite3_column_int64(stmt, c));
                    break;
                case SQLITE_FLOAT:
                    row.values.emplace_back(sqlite3_column_double(stmt, c));
                    break;
                case SQLITE_NULL:
                    row.values.emplace_back(std::monostate{});
                    break;
                case SQLITE_BLOB: {
                    const void* p = sqlite3_column_blob(stmt, c);
                    int n = sqlite3_column_bytes(stmt, c);
                    row.values.emplace_back(std::string(static_cast<const char*>(p), n));
                    break;
                }
                default: {
                    const unsigned char* p = sqlite3_column_text(stmt, c);
                    int n = sqlite3_column_bytes(stmt, c);
                    row.values.emplace_back(std::string(reinterpret_cast<const char*>(p), n));
                    break;
                }
            }
        }
        rows->push_back(std::move(row));
    }
}

Status SqliteDb::transaction(const std::function<Status(Db&)>& body) {
    std::lock_guard lock(mutex_);
    const bool outermost = transactionDepth_ == 0;
    const std::string savepoint = "pinfold_sp" + std::to_string(transactionDepth_);
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
    // can hit SQLITE_BUSY_SNAPSHOT, which no amount of waiting cures.
    PINFOLD_TRY(outermost ? execPlainLocked("BEGIN IMMEDIATE")
                          : execPlainLocked(("SAVEPOINT " + savepoint).c_str()));
    ++transactionDepth_;

    auto rollback = [&] {
        --transactionDepth_;
        // SQLite may already have rolled back by itself (on SQLITE_FULL, say); then there is
        // nothing left to undo and these statements fail harmlessly.
        if (outermost) {
            execPlainLocked("ROLLBACK");
        } else {
            execPlainLocked(("ROLLBACK TO " + savepoint).c_str());
            execPlainLocked(("RELEASE " + savepoint).c_str());
        }
    };

    Status result;
    try {
        result = body(*this);
    } catch (...) {
        rollback();
        throw;
    }
    if (!result.ok()) {
        rollback();
        return result;
    }
    if (outermost && sqlite3_get_autocommit(db_) != 0) {
        --transactionDepth_;
        return Status::Internal("Db: transaction was rolled back by SQLite after an error");
    }
    Status commit =
        outermost ? execPlainLocked("COMMIT") : execPlainLocked(("RELEASE " + savepoint).c_str());
    if (!commit.ok()) {
        rollback();
        return commit;
    }
    --transactionDepth_;
    return Status::Ok();
}

// Creates the file 0600 before SQLite sees it, since SQLite would create it 0644 (and copies the
// main file's mode to its -wal and -shm files). An existing file keeps the mode it has.
Status CreatePrivateFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Status::Internal("Cannot create database file " + path + ": " +
                                std::strerror(errno));
    }
    ::close(fd);
    return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Db>> OpenSqliteDb(const std::string& path, const SqliteOptions& options) {
    const bool inMemory = path == ":memory:";
    if (!inMemory)
        PINFOLD_TRY(CreatePrivateFile(path));

    sqlite3* raw = nullptr;
    // NOMUTEX: SqliteDb's own mutex already serialises every use of the connection.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close_v2(raw);
        return Status::Internal("Cannot open database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busyTimeoutMs);
    std::unique_ptr<Db> db = std::make_unique<SqliteDb>(raw);

    if (!inMemory) {
        PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> mode, db->query("PRAGMA journal_mode=WAL"));
        if (mode.empty() || mode[0].getText(0) != "wal") {
            return Status::Internal("Cannot switch database " + path + " to WAL mode");
        }
    }
    PINFOLD_TRY(db->exec("PRAGMA synchronous=NORMAL").status());
    PINFOLD_TRY(db->exec("PRAGMA foreign_keys=ON").status());
    return db;
}

}  // namespace pinfold::store
