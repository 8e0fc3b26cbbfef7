#include "store/agent_repository.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

constexpr uint32_t kFirstUid = 200000;

AgentRecord MakeAgent(const std::string& id, const std::string& workspace, uint32_t uid,
                      int64_t createdAtMs) {
    AgentRecord a;
    a.id = id;
    a.workspace = workspace;
    a.name = "agent " + id;
    a.engine = "openclaw";
    a.engineVersion = "2026.3.8";
    a.gatewayToken = "token-" + id;
    a.hostUid = uid;
    a.desiredRunning = true;
    a.createdAtMs = createdAtMs;
    a.updatedAtMs = createdAtMs;
    return a;
}

std::string Ids(const Result<std::vector<AgentRecord>>& agents) {
    if (!agents.ok())
        return agents.status().ToString();
    std::string out;
    for (const AgentRecord& a : *agents)
        out += (out.empty() ? "" : " ") + a.id;
    return out;
}

class AgentRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
        repo_ = std::make_unique<AgentRepository>(*db_);
    }

    pinfold::testing::TempDir dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<AgentRepository> repo_;
};

TEST_F(AgentRepositoryTest, InsertThenGetRoundTripsEveryField) {
    AgentRecord a = MakeAgent("xabc1234", "acme", kFirstUid, 1000);
    a.description = "does things";
    a.vibe = "calm";
    a.emoji = "🦞";
    a.desiredRunning = false;
    a.updatedAtMs = 1500;
    ASSERT_TRUE(repo_->insert(a).ok());
    Result<AgentRecord> got = repo_->get("xabc1234");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, a);

    AgentRecord bare = MakeAgent("xbare000", "acme", 4294967295u, 2000);
    ASSERT_TRUE(repo_->insert(bare).ok());
    got = repo_->get("xbare000");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, bare);
    EXPECT_EQ(got->description, std::nullopt);
    EXPECT_EQ(got->hostUid, 4294967295u);
}

TEST_F(AgentRepositoryTest, InsertRejectsDuplicateIdUidOrToken) {
    ASSERT_TRUE(repo_->insert(MakeAgent("xaaaaaaa", "acme", kFirstUid, 1)).ok());
    const std::string message = "Conflict: Agent id, host uid or gateway token already in use";

    EXPECT_EQ(repo_->insert(MakeAgent("xaaaaaaa", "acme", kFirstUid + 1, 2)).ToString(), message);

    AgentRecord sameUid = MakeAgent("xbbbbbbb", "acme", kFirstUid, 2);
    EXPECT_EQ(repo_->insert(sameUid).ToString(), message);

    AgentRecord sameToken = MakeAgent("xccccccc", "acme", kFirstUid + 2, 2);
    sameToken.gatewayToken = "token-xaaaaaaa";
    EXPECT_EQ(repo_->insert(sameToken).ToString(), message);

    EXPECT_EQ(Ids(repo_->listLive()), "xaaaaaaa");
}

TEST_F(AgentRepositoryTest, GetReportsUnknownAndDeletedAgents) {
    EXPECT_EQ(repo_->get("xnothere").status().ToString(), "NotFound: Agent not found");
    ASSERT_TRUE(repo_->insert(MakeAgent("xgone000", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->markDeleted("xgone000", 50).ok());
    EXPECT_EQ(repo_->get("xgone000").status().ToString(), "NotFound: Agent not found");
}

TEST_F(AgentRepositoryTest, AnotherWorkspacesAgentIsNotFoundLikeAMissingOne) {
    ASSERT_TRUE(repo_->insert(MakeAgent("xmine000", "acme", kFirstUid, 1)).ok());
    EXPECT_EQ(repo_->getInWorkspace("acme", "xmine000")->id, "xmine000");
    EXPECT_EQ(repo_->getInWorkspace("other", "xmine000").status().ToString(),
              "NotFound: Agent not found");
    EXPECT_EQ(repo_->getInWorkspace("acme", "xnothere").status().ToString(),
              "NotFound: Agent not found");
    ASSERT_TRUE(repo_->markDeleted("xmine000", 50).ok());
    EXPECT_EQ(repo_->getInWorkspace("acme", "xmine000").status().ToString(),
              "NotFound: Agent not found");
}

TEST_F(AgentRepositoryTest, ListsLiveAgentsOldestFirst) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x3333333", "acme", kFirstUid + 3, 300)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid + 1, 100)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "globex", kFirstUid + 2, 200)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x0000000", "acme", kFirstUid + 4, 300)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x4444444", "acme", kFirstUid + 5, 400)).ok());
    ASSERT_TRUE(repo_->markDeleted("x4444444", 500).ok());

    EXPECT_EQ(Ids(repo_->listByWorkspace("acme")), "x1111111 x0000000 x3333333");
    EXPECT_EQ(Ids(repo_->listByWorkspace("globex")), "x2222222");
    EXPECT_EQ(Ids(repo_->listByWorkspace("initech")), "");
    EXPECT_EQ(Ids(repo_->listLive()), "x1111111 x2222222 x0000000 x3333333");
}

TEST_F(AgentRepositoryTest, CountsLiveAgentsPerWorkspace) {
    EXPECT_EQ(*repo_->countLive("acme"), 0);
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "acme", kFirstUid + 1, 2)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x3333333", "globex", kFirstUid + 2, 3)).ok());
    EXPECT_EQ(*repo_->countLive("acme"), 2);
    ASSERT_TRUE(repo_->markDeleted("x1111111", 4).ok());
    EXPECT_EQ(*repo_->countLive("acme"), 1);
    EXPECT_EQ(*repo_->countLive("globex"), 1);
}

TEST_F(AgentRepositoryTest, RemembersEveryIdEverUsed) {
    EXPECT_FALSE(*repo_->idEverUsed("x1111111"));
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    EXPECT_TRUE(*repo_->idEverUsed("x1111111"));
    ASSERT_TRUE(repo_->markDeleted("x1111111", 2).ok());
    EXPECT_TRUE(*repo_->idEverUsed("x1111111"));
}

TEST_F(AgentRepositoryTest, NextHostUidStartsAtTheFirstUid) {
    EXPECT_EQ(*repo_->nextHostUid(kFirstUid), kFirstUid);
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    EXPECT_EQ(*repo_->nextHostUid(kFirstUid), kFirstUid + 1);
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "acme", kFirstUid + 7, 2)).ok());
    EXPECT_EQ(*repo_->nextHostUid(kFirstUid), kFirstUid + 8);
    // A range moved above every used uid starts at its own beginning.
    EXPECT_EQ(*repo_->nextHostUid(300000), 300000u);
}

TEST_F(AgentRepositoryTest, NextHostUidReportsExhaustion) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", 4294967295u, 1)).ok());
    EXPECT_EQ(repo_->nextHostUid(kFirstUid).status().ToString(), "Unavailable: No host uid left");
}

TEST_F(AgentRepositoryTest, DeletedAgentsIdsAndUidsAreNeverReused) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "acme", kFirstUid + 1, 2)).ok());
    ASSERT_TRUE(repo_->markDeleted("x2222222", 3).ok());
    ASSERT_TRUE(repo_->markDeleted("x1111111", 3).ok());

    EXPECT_EQ(*repo_->nextHostUid(kFirstUid), kFirstUid + 2);
    EXPECT_TRUE(*repo_->idEverUsed("x2222222"));
    const std::string message = "Conflict: Agent id, host uid or gateway token already in use";
    AgentRecord sameId = MakeAgent("x2222222", "acme", kFirstUid + 2, 4);
    sameId.gatewayToken = "fresh";
    EXPECT_EQ(repo_->insert(sameId).ToString(), message);
    EXPECT_EQ(repo_->insert(MakeAgent("x3333333", "acme", kFirstUid + 1, 4)).ToString(), message);
    EXPECT_TRUE(repo_->insert(MakeAgent("x3333333", "acme", kFirstUid + 2, 4)).ok());
}

TEST_F(AgentRepositoryTest, PickingAUidAndInsertingInOneTransactionNeverCollides) {
    for (int i = 0; i < 5; ++i) {
        std::string id = "xtx0000" + std::to_string(i);
        Status s = db_->transaction([&](Db& tx) -> Status {
            AgentRepository agents(tx);
            PINFOLD_ASSIGN_OR_RETURN(uint32_t uid, agents.nextHostUid(kFirstUid));
            return agents.insert(MakeAgent(id, "acme", uid, i));
        });
        ASSERT_TRUE(s.ok()) << s.ToString();
    }
    EXPECT_EQ(repo_->get("xtx00004")->hostUid, kFirstUid + 4);
}

TEST_F(AgentRepositoryTest, SetDesiredRunningBumpsUpdatedAt) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->setDesiredRunning("x1111111", false, 20).ok());
    Result<AgentRecord> a = repo_->get("x1111111");
    EXPECT_FALSE(a->desiredRunning);
    EXPECT_EQ(a->updatedAtMs, 20);
    EXPECT_EQ(a->createdAtMs, 1);
    ASSERT_TRUE(repo_->setDesiredRunning("x1111111", true, 30).ok());
    EXPECT_TRUE(repo_->get("x1111111")->desiredRunning);
    EXPECT_EQ(repo_->get("x1111111")->updatedAtMs, 30);
}

TEST_F(AgentRepositoryTest, SettersReportUnknownAndDeletedAgents) {
    ASSERT_TRUE(repo_->insert(MakeAgent("xgone000", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->markDeleted("xgone000", 2).ok());
    for (const char* id : {"xnothere", "xgone000"}) {
        EXPECT_EQ(repo_->setDesiredRunning(id, true, 3).ToString(), "NotFound: Agent not found");
        EXPECT_EQ(repo_->setGatewayToken(id, "t", 3).ToString(), "NotFound: Agent not found");
        EXPECT_EQ(repo_->setEngineVersion(id, "2", 3).ToString(), "NotFound: Agent not found");
        EXPECT_EQ(repo_->markDeleted(id, 3).ToString(), "NotFound: Agent not found");
    }
}

TEST_F(AgentRepositoryTest, SetGatewayTokenRotatesTheToken) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->setGatewayToken("x1111111", "rotated", 40).ok());
    Result<AgentRecord> a = repo_->get("x1111111");
    EXPECT_EQ(a->gatewayToken, "rotated");
    EXPECT_EQ(a->updatedAtMs, 40);
    EXPECT_EQ(*repo_->findByGatewayToken("token-x1111111"), std::nullopt);
    EXPECT_EQ((*repo_->findByGatewayToken("rotated"))->id, "x1111111");
}

TEST_F(AgentRepositoryTest, SetEngineVersionChangesOnlyThatAgent) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "acme", kFirstUid + 1, 2)).ok());
    std::string before = repo_->get("x2222222")->engineVersion;
    ASSERT_TRUE(repo_->setEngineVersion("x1111111", "2026.9.6", 50).ok());
    EXPECT_EQ(repo_->get("x1111111")->engineVersion, "2026.9.6");
    EXPECT_EQ(repo_->get("x1111111")->updatedAtMs, 50);
    EXPECT_EQ(repo_->get("x2222222")->engineVersion, before);
}

TEST_F(AgentRepositoryTest, SetGatewayTokenRejectsAnotherAgentsToken) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->insert(MakeAgent("x2222222", "acme", kFirstUid + 1, 2)).ok());
    EXPECT_EQ(repo_->setGatewayToken("x1111111", "token-x2222222", 5).ToString(),
              "Conflict: Gateway token already in use");
    EXPECT_EQ(repo_->get("x1111111")->gatewayToken, "token-x1111111");
}

TEST_F(AgentRepositoryTest, MarkDeletedKeepsTheRowAndStopsTheAgent) {
    ASSERT_TRUE(repo_->insert(MakeAgent("x1111111", "acme", kFirstUid, 1)).ok());
    ASSERT_TRUE(repo_->markDeleted("x1111111", 60).ok());
    Result<std::vector<DbRow>> rows = db_->query(
        "SELECT deleted_at_ms, updated_at_ms, desired_running, host_uid FROM agents WHERE id = ?",
        {std::string("x1111111")});
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].getInt(0), 60);
    EXPECT_EQ((*rows)[0].getInt(1), 60);
    EXPECT_EQ((*rows)[0].getInt(2), 0);
    EXPECT_EQ((*rows)[0].getInt(3), kFirstUid);
}

TEST_F(AgentRepositoryTest, FindByGatewayTokenSeesLiveAgentsOnly) {
    AgentRecord a = MakeAgent("x1111111", "acme", kFirstUid, 1);
    ASSERT_TRUE(repo_->insert(a).ok());
    Result<std::optional<AgentRecord>> found = repo_->findByGatewayToken("token-x1111111");
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(**found, a);
    EXPECT_EQ(*repo_->findByGatewayToken("no-such-token"), std::nullopt);
    ASSERT_TRUE(repo_->markDeleted("x1111111", 2).ok());
    EXPECT_EQ(*repo_->findByGatewayToken("token-x1111111"), std::nullopt);
}

}  // namespace
}  // namespace pinfold::store
