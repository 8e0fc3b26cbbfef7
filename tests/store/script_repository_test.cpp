#include "store/script_repository.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

class ScriptRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
    }

    testing::TempDir dir_;
    std::unique_ptr<Db> db_;
};

TEST_F(ScriptRepositoryTest, PutReplacesTheRowOfItsScriptAndListPutsBuildFirst) {
    ScriptRepository repo(*db_);
    ScriptRecord start{"xa",
                       "start",
                       "pending",
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       "Not run: the build failed"};
    ScriptRecord build{"xa", "build", "running", std::nullopt, 10, std::nullopt, std::nullopt};
    ASSERT_TRUE(repo.put(start).ok());
    ASSERT_TRUE(repo.put(build).ok());
    ASSERT_TRUE(repo.put({"xb", "build", "success", 0, 1, 2, std::nullopt}).ok());
    build = {"xa", "build", "failed", 2, 10, 20, "Exited with code 2"};
    ASSERT_TRUE(repo.put(build).ok());
    EXPECT_EQ(*repo.list("xa"), (std::vector<ScriptRecord>{build, start}));
    EXPECT_TRUE(repo.list("xc")->empty());
}

TEST_F(ScriptRepositoryTest, RequeueRunningTouchesOnlyRunningRows) {
    ScriptRepository repo(*db_);
    ASSERT_TRUE(
        repo.put({"xa", "build", "running", std::nullopt, 10, std::nullopt, std::nullopt}).ok());
    ASSERT_TRUE(
        repo.put({"xa", "start", "pending", std::nullopt, std::nullopt, std::nullopt, std::nullopt})
            .ok());
    ASSERT_TRUE(repo.put({"xb", "build", "success", 0, 1, 2, std::nullopt}).ok());
    EXPECT_EQ(*repo.requeueRunning("cut short"), 1);
    EXPECT_EQ(repo.list("xa")->at(0), (ScriptRecord{"xa", "build", "pending", std::nullopt,
                                                    std::nullopt, std::nullopt, "cut short"}));
    EXPECT_EQ(repo.list("xa")->at(1).error, std::nullopt);
    EXPECT_EQ(repo.list("xb")->at(0).state, "success");
}

TEST_F(ScriptRepositoryTest, DeleteAllRemovesOnlyThatAgentsRows) {
    ScriptRepository repo(*db_);
    ASSERT_TRUE(repo.put({"xa", "build", "success", 0, 1, 2, std::nullopt}).ok());
    ASSERT_TRUE(repo.put({"xb", "build", "success", 0, 1, 2, std::nullopt}).ok());
    ASSERT_TRUE(repo.deleteAll("xa").ok());
    EXPECT_TRUE(repo.list("xa")->empty());
    EXPECT_EQ(repo.list("xb")->size(), 1u);
}

}  // namespace
}  // namespace pinfold::store
