#include "store/api_key_repository.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

std::string Render(const ApiKeyRecord& r) {
    auto opt = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; };
    return r.id + " " + r.workspace + " " + r.name + " " + std::to_string(r.createdAtMs) + " " +
           opt(r.expiresAtMs) + " " + opt(r.revokedAtMs);
}

class ApiKeyRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
        repo_ = std::make_unique<ApiKeyRepository>(*db_);
    }

    std::string List(const std::string& workspace) {
        Result<std::vector<ApiKeyRecord>> keys = repo_->list(workspace);
        if (!keys.ok())
            return keys.status().ToString();
        std::string out;
        for (const ApiKeyRecord& k : *keys)
            out += Render(k) + "\n";
        return out;
    }

    pinfold::testing::TempDir dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<ApiKeyRepository> repo_;
};

TEST_F(ApiKeyRepositoryTest, InsertThenGet) {
    ApiKeyRecord rec{"k1", "acme", "ci", 1000, 5000, std::nullopt};
    ASSERT_TRUE(repo_->insert(rec).ok());
    Result<ApiKeyRecord> got = repo_->get("k1");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, rec);
    EXPECT_EQ(Render(*got), "k1 acme ci 1000 5000 -");

    ApiKeyRecord forever{"k2", "acme", "", 1001, std::nullopt, std::nullopt};
    ASSERT_TRUE(repo_->insert(forever).ok());
    EXPECT_EQ(*repo_->get("k2"), forever);
}

TEST_F(ApiKeyRepositoryTest, InsertRejectsADuplicateId) {
    ASSERT_TRUE(repo_->insert({"k1", "acme", "ci", 1000, std::nullopt, std::nullopt}).ok());
    EXPECT_EQ(repo_->insert({"k1", "globex", "other", 2000, std::nullopt, std::nullopt}).ToString(),
              "Conflict: API key already exists");
    EXPECT_EQ(Render(*repo_->get("k1")), "k1 acme ci 1000 - -");
}

TEST_F(ApiKeyRepositoryTest, GetReportsUnknownKeys) {
    EXPECT_EQ(repo_->get("nope").status().ToString(), "NotFound: API key not found");
}

TEST_F(ApiKeyRepositoryTest, RevokeSetsTheTimeOnce) {
    ASSERT_TRUE(repo_->insert({"k1", "acme", "ci", 1000, std::nullopt, std::nullopt}).ok());
    ASSERT_TRUE(repo_->revoke("k1", 3000).ok());
    EXPECT_EQ(Render(*repo_->get("k1")), "k1 acme ci 1000 - 3000");
    EXPECT_TRUE(repo_->revoke("k1", 4000).ok());
    EXPECT_EQ(Render(*repo_->get("k1")), "k1 acme ci 1000 - 3000");
}

TEST_F(ApiKeyRepositoryTest, RevokeReportsUnknownKeys) {
    EXPECT_EQ(repo_->revoke("nope", 1).ToString(), "NotFound: API key not found");
}

TEST_F(ApiKeyRepositoryTest, ListShowsOneWorkspaceOldestFirst) {
    EXPECT_EQ(List("acme"), "");
    ASSERT_TRUE(repo_->insert({"k3", "acme", "third", 3000, std::nullopt, std::nullopt}).ok());
    ASSERT_TRUE(repo_->insert({"k1", "acme", "first", 1000, 9000, std::nullopt}).ok());
    ASSERT_TRUE(repo_->insert({"k2", "globex", "theirs", 2000, std::nullopt, std::nullopt}).ok());
    ASSERT_TRUE(repo_->insert({"k0", "acme", "tie", 3000, std::nullopt, std::nullopt}).ok());
    ASSERT_TRUE(repo_->revoke("k3", 4000).ok());
    EXPECT_EQ(List("acme"),
              "k1 acme first 1000 9000 -\n"
              "k0 acme tie 3000 - -\n"
              "k3 acme third 3000 - 4000\n");
    EXPECT_EQ(List("globex"), "k2 globex theirs 2000 - -\n");
}

}  // namespace
}  // namespace pinfold::store
