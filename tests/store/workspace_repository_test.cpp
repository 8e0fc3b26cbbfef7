#include "store/workspace_repository.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

class WorkspaceRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
        repo_ = std::make_unique<WorkspaceRepository>(*db_);
    }

    pinfold::testing::TempDir dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<WorkspaceRepository> repo_;
};

TEST_F(WorkspaceRepositoryTest, EnsureCreatesOnceAndKeepsTheFirstUserId) {
    Result<std::string> first = repo_->ensure("acme", "11111111-1111-4111-8111-111111111111", 1000);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(*first, "11111111-1111-4111-8111-111111111111");

    Result<std::string> again = repo_->ensure("acme", "22222222-2222-4222-8222-222222222222", 2000);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(*again, "11111111-1111-4111-8111-111111111111");

    Result<std::vector<DbRow>> rows =
        db_->query("SELECT name, user_id, created_at_ms FROM workspaces");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].getInt(2), 1000);
}

TEST_F(WorkspaceRepositoryTest, UserIdOfFindsExistingWorkspaces) {
    ASSERT_TRUE(repo_->ensure("acme", "u-acme", 1).ok());
    ASSERT_TRUE(repo_->ensure("globex", "u-globex", 2).ok());
    EXPECT_EQ(*repo_->userIdOf("acme"), "u-acme");
    EXPECT_EQ(*repo_->userIdOf("globex"), "u-globex");
}

TEST_F(WorkspaceRepositoryTest, UserIdOfReportsUnknownWorkspaces) {
    EXPECT_EQ(repo_->userIdOf("nobody").status().ToString(), "NotFound: Workspace not found");
}

TEST_F(WorkspaceRepositoryTest, ACandidateUserIdTakenByAnotherWorkspaceConflicts) {
    ASSERT_TRUE(repo_->ensure("acme", "same-uuid", 1).ok());
    EXPECT_EQ(repo_->ensure("globex", "same-uuid", 2).status().code(), Status::Code::kConflict);
    EXPECT_EQ(repo_->userIdOf("globex").status().ToString(), "NotFound: Workspace not found");
}

}  // namespace
}  // namespace pinfold::store
