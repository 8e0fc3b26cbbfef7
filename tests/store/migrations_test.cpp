#include "store/migrations.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

using pinfold::testing::TempDir;

std::unique_ptr<Db> Open(const std::string& path) {
    Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
}

std::string Dump(Db& db, std::string_view sql) {
    Result<std::vector<DbRow>> rows = db.query(sql);
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

constexpr std::string_view kObjects =
    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";

TEST(Migrate, CreatesTheSchema) {
    TempDir dir;
    std::unique_ptr<Db> db = Open(dir.file("p.db"));
    ASSERT_TRUE(Migrate(*db).ok());
    EXPECT_EQ(Dump(*db, kObjects),
              "index|agent_secrets_secret\n"
              "index|agent_skills_skill\n"
              "index|agents_workspace\n"
              "index|api_keys_workspace\n"
              "index|skill_versions_cid\n"
              "index|snapshots_cid\n"
              "index|templates_live_slug\n"
              "index|templates_workspace\n"
              "table|agent_scripts\n"
              "table|agent_secrets\n"
              "table|agent_skills\n"
              "table|agents\n"
              "table|api_keys\n"
              "table|schema_migrations\n"
              "table|secrets\n"
              "table|skill_versions\n"
              "table|skills\n"
              "table|snapshots\n"
              "table|templates\n"
              "table|workspaces");
    EXPECT_EQ(Dump(*db, "SELECT version FROM schema_migrations ORDER BY version"),
              "1\n2\n3\n4\n5\n6");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('agents')"),
              "id|TEXT|0|1\n"
              "workspace|TEXT|1|0\n"
              "name|TEXT|1|0\n"
              "description|TEXT|0|0\n"
              "vibe|TEXT|0|0\n"
              "emoji|TEXT|0|0\n"
              "engine|TEXT|1|0\n"
              "engine_version|TEXT|1|0\n"
              "gateway_token|TEXT|1|0\n"
              "host_uid|BIGINT|1|0\n"
              "desired_running|INTEGER|1|0\n"
              "created_at_ms|BIGINT|1|0\n"
              "updated_at_ms|BIGINT|1|0\n"
              "deleted_at_ms|BIGINT|0|0\n"
              "last_sync_ms|BIGINT|0|0\n"
              "snapshot_cid|TEXT|0|0\n"
              "file_manifest|TEXT|0|0\n"
              "snapshots_updated_at_ms|BIGINT|0|0");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('snapshots')"),
              "agent_id|TEXT|1|1\n"
              "seq|BIGINT|1|2\n"
              "cid|TEXT|1|0\n"
              "commit_sha|TEXT|1|0\n"
              "change_summary|TEXT|1|0\n"
              "content_diff|TEXT|1|0\n"
              "created_at_ms|BIGINT|1|0");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('secrets')"),
              "id|TEXT|0|1\n"
              "workspace|TEXT|1|0\n"
              "name|TEXT|1|0\n"
              "type|TEXT|1|0\n"
              "value_sealed|TEXT|1|0\n"
              "revision|BIGINT|1|0\n"
              "created_at_ms|BIGINT|1|0\n"
              "updated_at_ms|BIGINT|1|0");
    EXPECT_EQ(
        Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('agent_secrets')"),
        "agent_id|TEXT|1|1\n"
        "secret_id|TEXT|1|2\n"
        "attached_at_ms|BIGINT|1|0\n"
        "applied_revision|BIGINT|0|0");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('skills')"),
              "id|TEXT|0|1\n"
              "workspace|TEXT|1|0\n"
              "name|TEXT|1|0\n"
              "slug|TEXT|0|0\n"
              "description|TEXT|0|0\n"
              "env_vars|TEXT|1|0\n"
              "hub_skill_id|TEXT|0|0\n"
              "created_at_ms|BIGINT|1|0");
    EXPECT_EQ(
        Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('skill_versions')"),
        "skill_id|TEXT|1|1\n"
        "version|TEXT|1|2\n"
        "cid|TEXT|1|0\n"
        "created_at_ms|BIGINT|1|0");
    EXPECT_EQ(
        Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('agent_skills')"),
        "agent_id|TEXT|1|1\n"
        "skill_id|TEXT|1|2\n"
        "version|TEXT|1|0\n"
        "cid|TEXT|1|0\n"
        "attached_at_ms|BIGINT|1|0");
    EXPECT_EQ(
        Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('agent_scripts')"),
        "agent_id|TEXT|1|1\n"
        "script|TEXT|1|2\n"
        "state|TEXT|1|0\n"
        "exit_code|BIGINT|0|0\n"
        "started_at_ms|BIGINT|0|0\n"
        "finished_at_ms|BIGINT|0|0\n"
        "error|TEXT|0|0");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('api_keys')"),
              "id|TEXT|0|1\n"
              "workspace|TEXT|1|0\n"
              "name|TEXT|1|0\n"
              "created_at_ms|BIGINT|1|0\n"
              "expires_at_ms|BIGINT|0|0\n"
              "revoked_at_ms|BIGINT|0|0");
    EXPECT_EQ(Dump(*db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('workspaces')"),
              "name|TEXT|0|1\n"
              "user_id|TEXT|1|0\n"
              "created_at_ms|BIGINT|1|0");
}

TEST(Migrate, IsIdempotentAcrossReopens) {
    TempDir dir;
    std::string appliedAt;
    {
        std::unique_ptr<Db> db = Open(dir.file("p.db"));
        ASSERT_TRUE(Migrate(*db).ok());
        ASSERT_TRUE(db->exec("INSERT INTO workspaces (name, user_id, created_at_ms) "
                             "VALUES ('acme', 'u1', 1)")
                        .ok());
        appliedAt = Dump(*db, "SELECT applied_at_ms FROM schema_migrations");
        Status again = Migrate(*db);
        EXPECT_TRUE(again.ok()) << again.ToString();
    }
    std::unique_ptr<Db> db = Open(dir.file("p.db"));
    Status s = Migrate(*db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Dump(*db, "SELECT COUNT(*) FROM schema_migrations"), "6");
    EXPECT_EQ(Dump(*db, "SELECT applied_at_ms FROM schema_migrations"), appliedAt);
    EXPECT_EQ(Dump(*db, "SELECT name, user_id FROM workspaces"), "acme|u1");
}

TEST(Migrate, AppliesOnlyNewStepsInOrder) {
    TempDir dir;
    std::unique_ptr<Db> db = Open(dir.file("p.db"));
    std::vector<Migration> steps = {{1, "one", {"CREATE TABLE a (x INTEGER)"}}};
    ASSERT_TRUE(Migrate(*db, steps).ok());
    steps.push_back({2, "two", {"INSERT INTO a (x) VALUES (2)", "CREATE TABLE b (y INTEGER)"}});
    steps.push_back({3, "three", {"INSERT INTO a (x) SELECT x + 1 FROM a"}});
    ASSERT_TRUE(Migrate(*db, steps).ok());
    ASSERT_TRUE(Migrate(*db, steps).ok());
    EXPECT_EQ(Dump(*db, "SELECT x FROM a ORDER BY x"), "2\n3");
    EXPECT_EQ(Dump(*db, "SELECT version FROM schema_migrations ORDER BY version"), "1\n2\n3");
}

TEST(Migrate, RollsBackAFailingStepWhole) {
    TempDir dir;
    std::unique_ptr<Db> db = Open(dir.file("p.db"));
    std::vector<Migration> steps = {
        {1, "one", {"CREATE TABLE a (x INTEGER)"}},
        {2, "broken", {"CREATE TABLE b (y INTEGER)", "INSERT INTO nowhere VALUES (1)"}},
        {3, "never reached", {"CREATE TABLE c (z INTEGER)"}},
    };
    EXPECT_EQ(Migrate(*db, steps).ToString(), "Internal: no such table: nowhere");
    EXPECT_EQ(Dump(*db, kObjects), "table|a\ntable|schema_migrations");
    EXPECT_EQ(Dump(*db, "SELECT version FROM schema_migrations"), "1");
}

TEST(Migrate, RefusesADatabaseFromANewerBinary) {
    TempDir dir;
    std::unique_ptr<Db> db = Open(dir.file("p.db"));
    ASSERT_TRUE(Migrate(*db).ok());
    ASSERT_TRUE(
        db->exec("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (99, 0)").ok());
    EXPECT_EQ(Migrate(*db).ToString(),
              "Internal: Database schema version 99 is newer than this binary (6)");
}

TEST(Migrate, KnowsItsStepsInStrictOrder) {
    const std::vector<Migration>& all = AllMigrations();
    ASSERT_FALSE(all.empty());
    for (size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i].version, static_cast<int64_t>(i + 1));
}

}  // namespace
}  // namespace pinfold::store
