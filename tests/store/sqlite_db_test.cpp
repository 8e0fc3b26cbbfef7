#include "store/sqlite_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

using pinfold::testing::TempDir;

std::unique_ptr<Db> Open(const std::string& path, SqliteOptions options = {}) {
    Result<std::unique_ptr<Db>> db = OpenSqliteDb(path, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
}

// Renders query results as "a|b\nc|d" (NULL as "NULL") so tests compare one string.
std::string Dump(Db& db, std::string_view sql, const std::vector<DbValue>& params = {}) {
    Result<std::vector<DbRow>> rows = db.query(sql, params);
    if (!rows.ok())
        return rows.status().ToString();
    std::string out;
    for (const DbRow& row : *rows) {
        if (!out.empty())
            out += '\n';
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0)
                out += '|';
            out += row.isNull(i) ? "NULL" : row.getText(i);
        }
    }
    return out;
}

class SqliteDbTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = Open(dir_.file("pinfold.db"));
        ASSERT_NE(db_, nullptr);
        ASSERT_TRUE(db_->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL, "
                              "n BIGINT UNIQUE, d REAL)")
                        .ok());
    }

    Status Insert(Db& db, const std::string& k, const std::string& v, DbValue n = {}) {
        return db.exec("INSERT INTO t (k, v, n) VALUES (?, ?, ?)", {k, v, n}).status();
    }

    TempDir dir_;
    std::unique_ptr<Db> db_;
};

TEST_F(SqliteDbTest, ConfiguresTheConnection) {
    EXPECT_EQ(Dump(*db_, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(Dump(*db_, "PRAGMA synchronous"), "1");  // NORMAL
    EXPECT_EQ(Dump(*db_, "PRAGMA foreign_keys"), "1");
    EXPECT_EQ(Dump(*db_, "PRAGMA busy_timeout"), "5000");
}

TEST_F(SqliteDbTest, CreatesTheFileOwnerOnly) {
    struct stat st {};
    ASSERT_EQ(::stat(dir_.file("pinfold.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(dir_.file("pinfold.db-wal").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteDbTest, ReportsAnUnopenableFile) {
    Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("missing/folder/x.db"));
    EXPECT_EQ(db.status().ToString(), "Internal: Cannot create database file " +
                                          dir_.file("missing/folder/x.db") +
                                          ": No such file or directory");
}

TEST_F(SqliteDbTest, OpensInMemory) {
    std::unique_ptr<Db> mem = Open(":memory:");
    ASSERT_NE(mem, nullptr);
    EXPECT_EQ(Dump(*mem, "SELECT 1 + 1"), "2");
}

TEST_F(SqliteDbTest, RoundTripsEveryValueKind) {
    std::string withNul("a\0b", 3);
    ASSERT_TRUE(db_->exec("INSERT INTO t (k, v, n, d) VALUES (?, ?, ?, ?)",
                          {std::string("key"), withNul, int64_t{-9007199254740993}, 2.5})
                    .ok());
    ASSERT_TRUE(db_->exec("INSERT INTO t (k, v, n, d) VALUES (?, ?, ?, ?)",
                          {std::string("ключ ✓"), std::string(""), DbValue(), DbValue()})
                    .ok());
    Result<std::vector<DbRow>> rows = db_->query("SELECT k, v, n, d FROM t ORDER BY rowid");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    const DbRow& a = (*rows)[0];
    EXPECT_EQ(a.getText(0), "key");
    EXPECT_EQ(a.getText(1), withNul);
    EXPECT_EQ(a.getInt(2), -9007199254740993);
    EXPECT_EQ(a.getOptInt(2), -9007199254740993);
    EXPECT_EQ(a.getDouble(3), 2.5);
    EXPECT_FALSE(a.isNull(2));
    const DbRow& b = (*rows)[1];
    EXPECT_EQ(b.getText(0), "ключ ✓");
    EXPECT_EQ(b.getOptText(1), "");
    EXPECT_TRUE(b.isNull(2));
    EXPECT_EQ(b.getOptInt(2), std::nullopt);
    EXPECT_EQ(b.getInt(2), 0);
    EXPECT_EQ(b.getOptText(3), std::nullopt);
    EXPECT_EQ(b.getText(3), "");
}

TEST_F(SqliteDbTest, ExecCountsChangedRows) {
    EXPECT_EQ(*db_->exec("INSERT INTO t (k, v) VALUES ('a', '1'), ('b', '2'), ('c', '3')"), 3);
    EXPECT_EQ(*db_->exec("UPDATE t SET v = 'x' WHERE k <> ?", {std::string("a")}), 2);
    EXPECT_EQ(*db_->exec("UPDATE t SET v = 'x' WHERE k = 'nope'"), 0);
    EXPECT_EQ(*db_->exec("CREATE TABLE other (x INTEGER)"), 0);
    EXPECT_EQ(*db_->exec("DELETE FROM t"), 3);
}

TEST_F(SqliteDbTest, QueryReturnsNoRowsForStatementsWithout) {
    Result<std::vector<DbRow>> rows = db_->query("INSERT INTO t (k, v) VALUES ('a', '1')");
    ASSERT_TRUE(rows.ok());
    EXPECT_TRUE(rows->empty());
    EXPECT_EQ(Dump(*db_, "SELECT k, v FROM t"), "a|1");
}

TEST_F(SqliteDbTest, MapsUniqueAndPrimaryKeyViolationsToConflict) {
    ASSERT_TRUE(Insert(*db_, "a", "1", int64_t{7}).ok());
    EXPECT_EQ(Insert(*db_, "a", "2").ToString(), "Conflict: UNIQUE constraint failed: t.k");
    EXPECT_EQ(Insert(*db_, "b", "2", int64_t{7}).ToString(),
              "Conflict: UNIQUE constraint failed: t.n");
    EXPECT_EQ(Dump(*db_, "SELECT k, v, n FROM t"), "a|1|7");
}

TEST_F(SqliteDbTest, MapsOtherFailuresToInternalWithSqlitesMessage) {
    EXPECT_EQ(db_->exec("INSERT INTO t (k, v) VALUES ('a', NULL)").status().ToString(),
              "Internal: NOT NULL constraint failed: t.v");
    EXPECT_EQ(db_->query("SELEC 1").status().ToString(), "Internal: near \"SELEC\": syntax error");
    EXPECT_EQ(db_->query("SELECT * FROM nowhere").status().ToString(),
              "Internal: no such table: nowhere");
}

TEST_F(SqliteDbTest, ChecksTheParameterCount) {
    EXPECT_EQ(db_->query("SELECT ?, ?", {int64_t{1}}).status().ToString(),
              "Internal: Db: statement expects 2 parameters, got 1");
    EXPECT_EQ(db_->query("SELECT 1", {int64_t{1}}).status().ToString(),
              "Internal: Db: statement expects 0 parameters, got 1");
}

TEST_F(SqliteDbTest, RefusesSeveralStatementsInOneCall) {
    EXPECT_EQ(
        db_->exec("INSERT INTO t (k, v) VALUES ('a', '1'); DELETE FROM t").status().ToString(),
        "Internal: Db: one SQL statement per call");
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(*) FROM t"), "0");
    EXPECT_TRUE(db_->exec("INSERT INTO t (k, v) VALUES ('a', '1');\n").ok());
    EXPECT_EQ(db_->exec("  ").status().ToString(), "Internal: Db: empty SQL statement");
}

TEST_F(SqliteDbTest, ReadsOnlyTheGivenSqlView) {
    // The view ends before the second statement: it is one statement, not two.
    std::string both = "SELECT 41 + 1; DELETE FROM t";
    EXPECT_EQ(Dump(*db_, std::string_view(both).substr(0, 13)), "42");
}

TEST_F(SqliteDbTest, ReusesCachedStatementsWithFreshParameters) {
    for (int i = 0; i < 300; ++i) {
        // 300 distinct texts overflow the statement cache; the repeated one stays cached.
        ASSERT_TRUE(db_->exec("INSERT INTO t (k, v, n) VALUES (?, ?, " + std::to_string(i) + ")",
                              {std::to_string(i), std::string("v")})
                        .ok());
        ASSERT_EQ(Dump(*db_, "SELECT v FROM t WHERE k = ?", {std::to_string(i)}), "v");
    }
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(*), SUM(n) FROM t"), "300|44850");
    // A failed run leaves the cached statement reusable.
    EXPECT_FALSE(Insert(*db_, "0", "dup").ok());
    EXPECT_TRUE(Insert(*db_, "new", "ok").ok());
}

TEST_F(SqliteDbTest, TransactionCommitsWhenTheBodySucceeds) {
    Status s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(Insert(tx, "a", "1"));
        return Insert(tx, "b", "2");
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t ORDER BY k"), "a\nb");
}

TEST_F(SqliteDbTest, TransactionRollsBackAndReturnsTheBodysError) {
    ASSERT_TRUE(Insert(*db_, "a", "1").ok());
    Status s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(Insert(tx, "b", "2"));
        return Insert(tx, "a", "again");  // Conflict
    });
    EXPECT_EQ(s.ToString(), "Conflict: UNIQUE constraint failed: t.k");
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t ORDER BY k"), "a");

    s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(Insert(tx, "c", "3"));
        return Status::NotFound("Agent not found");
    });
    EXPECT_EQ(s.ToString(), "NotFound: Agent not found");
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t ORDER BY k"), "a");
}

TEST_F(SqliteDbTest, TransactionRollsBackWhenTheBodyThrows) {
    EXPECT_THROW(db_->transaction([&](Db& tx) -> Status {
        EXPECT_TRUE(Insert(tx, "a", "1").ok());
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(*) FROM t"), "0");
    // The Db is usable again afterwards.
    EXPECT_TRUE(db_->transaction([&](Db& tx) { return Insert(tx, "b", "2"); }).ok());
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t"), "b");
}

TEST_F(SqliteDbTest, NestedTransactionsRunInsideTheOuterOne) {
    Status s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(Insert(tx, "outer", "1"));
        PINFOLD_TRY(tx.transaction([&](Db& inner) { return Insert(inner, "inner", "2"); }));
        // A failed nested transaction undoes only its own changes.
        Status failed = tx.transaction([&](Db& inner) -> Status {
            PINFOLD_TRY(Insert(inner, "doomed", "3"));
            return Status::Conflict("changed my mind");
        });
        EXPECT_EQ(failed.ToString(), "Conflict: changed my mind");
        return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t ORDER BY k"), "inner\nouter");
}

TEST_F(SqliteDbTest, AnOuterRollbackUndoesCommittedNestedWork) {
    Status s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(tx.transaction([&](Db& inner) { return Insert(inner, "inner", "2"); }));
        return Status::Internal("outer fails");
    });
    EXPECT_EQ(s.ToString(), "Internal: outer fails");
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(*) FROM t"), "0");
}

TEST_F(SqliteDbTest, KeepsDataAcrossReopen) {
    ASSERT_TRUE(Insert(*db_, "a", "1").ok());
    db_.reset();
    std::unique_ptr<Db> again = Open(dir_.file("pinfold.db"));
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(Dump(*again, "SELECT k, v FROM t"), "a|1");
}

TEST_F(SqliteDbTest, ReportsUnavailableWhileAnotherConnectionHoldsTheWriteLock) {
    std::unique_ptr<Db> other = Open(dir_.file("pinfold.db"), SqliteOptions{.busyTimeoutMs = 20});
    ASSERT_NE(other, nullptr);
    Status s = db_->transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(Insert(tx, "mine", "1"));
        EXPECT_EQ(Insert(*other, "theirs", "2").ToString(), "Unavailable: Database is busy");
        EXPECT_EQ(other->transaction([&](Db&) { return Status::Ok(); }).ToString(),
                  "Unavailable: Database is busy");
        // WAL: readers still see the last committed state meanwhile.
        EXPECT_EQ(Dump(*other, "SELECT COUNT(*) FROM t"), "0");
        return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(Insert(*other, "theirs", "2").ok());
    EXPECT_EQ(Dump(*db_, "SELECT k FROM t ORDER BY k"), "mine\ntheirs");
}

TEST_F(SqliteDbTest, IsSafeToShareBetweenThreads) {
    constexpr int kThreads = 4;
    constexpr int kRows = 200;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRows; ++i) {
                std::string key = std::to_string(t) + "-" + std::to_string(i);
                if (i % 2 == 0) {
                    EXPECT_TRUE(Insert(*db_, key, "v").ok());
                } else {
                    // A transaction's read-then-write is never interleaved with other threads.
                    EXPECT_TRUE(db_->transaction([&](Db& tx) -> Status {
                                       PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                                                                tx.query("SELECT COUNT(*) FROM t"));
                                       return Insert(tx, key, std::to_string(rows[0].getInt(0)));
                                   })
                                    .ok());
                }
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(*) FROM t"), std::to_string(kThreads * kRows));
    // Each transaction saw a distinct count, so no two stored the same one.
    EXPECT_EQ(Dump(*db_, "SELECT COUNT(DISTINCT v) FROM t WHERE v <> 'v'"),
              std::to_string(kThreads * kRows / 2));
}

}  // namespace
}  // namespace pinfold::store
