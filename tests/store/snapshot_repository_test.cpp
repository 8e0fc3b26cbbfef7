#include "store/snapshot_repository.h"

#include <gtest/gtest.h>

#include "store/agent_repository.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

class SnapshotRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
    }
    SnapshotRecord Make(const std::string& agent, const std::string& cid, int64_t at) {
        return {agent, 0, cid, "sha-" + cid, "1 file changed", "diff " + cid, at};
    }

    testing::TempDir dir_;
    std::unique_ptr<Db> db_;
};

TEST_F(SnapshotRepositoryTest, NumbersSnapshotsPerAgentAndListsNewestFirst) {
    SnapshotRepository repo(*db_);
    EXPECT_EQ(repo.append(Make("xa", "c1", 10))->seq, 1);
    EXPECT_EQ(repo.append(Make("xa", "c2", 20))->seq, 2);
    EXPECT_EQ(repo.append(Make("xb", "c9", 30))->seq, 1);
    EXPECT_EQ(repo.append(Make("xa", "c1", 40))->seq, 3);

    Result<std::vector<SnapshotRecord>> latest = repo.latest("xa", 2);
    ASSERT_TRUE(latest.ok());
    ASSERT_EQ(latest->size(), 2u);
    SnapshotRecord expected = Make("xa", "c1", 40);
    expected.seq = 3;
    EXPECT_EQ((*latest)[0], expected);
    EXPECT_EQ((*latest)[1].cid, "c2");

    Result<std::optional<SnapshotRecord>> found = repo.findByCid("xa", "c1");
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->seq, 3);
    EXPECT_FALSE(repo.findByCid("xa", "c9")->has_value());  // another agent's snapshot
    EXPECT_FALSE(repo.findByCid("xb", "c1")->has_value());

    ASSERT_TRUE(repo.deleteAll("xa").ok());
    EXPECT_TRUE(repo.latest("xa", 10)->empty());
    EXPECT_EQ(repo.latest("xb", 10)->size(), 1u);
}

}  // namespace
}  // namespace pinfold::store
