#include "store/skill_repository.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/agent_repository.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

SkillRecord MakeSkill(const std::string& id, const std::string& workspace,
                      const std::string& name) {
    SkillRecord s;
    s.id = id;
    s.workspace = workspace;
    s.name = name;
    s.description = "About " + name;
    s.envVarsJson = R"([{"name":"KEY","description":null}])";
    s.createdAtMs = 100;
    return s;
}

SkillVersionRecord MakeVersion(const std::string& skillId, const std::string& version,
                               const std::string& cid, int64_t at = 100) {
    return {skillId, version, cid, at};
}

// "id@version=cid" per version, in order.
std::string Render(const Result<std::vector<SkillVersionRecord>>& versions) {
    if (!versions.ok())
        return versions.status().ToString();
    std::string out;
    for (const auto& v : *versions)
        out += (out.empty() ? "" : " ") + v.skillId + "@" + v.version + "=" + v.cid;
    return out;
}

class SkillRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
        repo_ = std::make_unique<SkillRepository>(*db_);
    }
    void AddAgent(const std::string& id, uint32_t uid) {
        AgentRecord a;
        a.id = id;
        a.workspace = "acme";
        a.name = id;
        a.engine = "openclaw";
        a.engineVersion = "1";
        a.gatewayToken = "token-" + id;
        a.hostUid = uid;
        ASSERT_TRUE(AgentRepository(*db_).insert(a).ok());
    }

    testing::TempDir dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<SkillRepository> repo_;
};

TEST_F(SkillRepositoryTest, InsertsASkillWithItsFirstVersionAndFindsItEveryWay) {
    SkillRecord skill = MakeSkill("s1", "acme", "weather");
    skill.slug = "@pinfold/weather";
    skill.hubSkillId = "hub-1";
    ASSERT_TRUE(repo_->insert(skill, MakeVersion("s1", "1.0.0", "bafy1")).ok());

    EXPECT_EQ(*repo_->get("acme", "s1"), skill);
    EXPECT_EQ(repo_->get("other", "s1").status().ToString(), "NotFound: Skill not found");
    EXPECT_EQ(repo_->findByName("acme", "weather")->value(), skill);
    EXPECT_FALSE(repo_->findByName("other", "weather")->has_value());
    EXPECT_EQ(repo_->findBySlug("acme", "@pinfold/weather")->value(), skill);
    EXPECT_EQ(repo_->findByHubSkillId("acme", "hub-1")->value(), skill);
    EXPECT_FALSE(repo_->findByHubSkillId("other", "hub-1")->has_value());

    auto byCid = repo_->findByCid("acme", "bafy1");
    ASSERT_TRUE(byCid.ok() && byCid->has_value());
    EXPECT_EQ((*byCid)->first, skill);
    EXPECT_EQ((*byCid)->second, MakeVersion("s1", "1.0.0", "bafy1"));
    EXPECT_FALSE(repo_->findByCid("other", "bafy1")->has_value());
    EXPECT_TRUE(*repo_->cidInAnyLibrary("bafy1"));
    EXPECT_FALSE(*repo_->cidInAnyLibrary("bafy2"));
}

TEST_F(SkillRepositoryTest, NamesAreUniquePerWorkspaceAndAFailedInsertLeavesNoVersion) {
    ASSERT_TRUE(
        repo_->insert(MakeSkill("s1", "acme", "weather"), MakeVersion("s1", "1.0.0", "c1")).ok());
    Status again =
        repo_->insert(MakeSkill("s2", "acme", "weather"), MakeVersion("s2", "1.0.0", "c2"));
    EXPECT_EQ(again.ToString(), "Conflict: Skill weather is already in the library");
    EXPECT_EQ(Render(repo_->versions("s2")), "");
    EXPECT_FALSE(*repo_->cidInAnyLibrary("c2"));
    EXPECT_TRUE(
        repo_->insert(MakeSkill("s3", "other", "weather"), MakeVersion("s3", "1.0.0", "c1")).ok());
    auto list = repo_->list("acme");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].id, "s1");
}

TEST_F(SkillRepositoryTest, VersionsDetailsAndRemoval) {
    ASSERT_TRUE(
        repo_->insert(MakeSkill("s1", "acme", "b-skill"), MakeVersion("s1", "1.0.0", "c1", 10))
            .ok());
    ASSERT_TRUE(
        repo_->insert(MakeSkill("s2", "acme", "a-skill"), MakeVersion("s2", "0.1.0", "c9", 20))
            .ok());
    ASSERT_TRUE(repo_->addVersion(MakeVersion("s1", "1.1.0", "c2", 30)).ok());
    EXPECT_EQ(repo_->addVersion(MakeVersion("s1", "1.1.0", "c3", 40)).ToString(),
              "Conflict: Version 1.1.0 already exists");
    EXPECT_EQ(Render(repo_->versions("s1")), "s1@1.0.0=c1 s1@1.1.0=c2");
    EXPECT_EQ(Render(repo_->versionsInWorkspace("acme")), "s1@1.0.0=c1 s2@0.1.0=c9 s1@1.1.0=c2");
    EXPECT_EQ(Render(repo_->versionsInWorkspace("other")), "");
    auto list = repo_->list("acme");
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "a-skill");

    ASSERT_TRUE(repo_->updateDetails("acme", "s1", std::nullopt, "[]").ok());
    EXPECT_EQ(repo_->get("acme", "s1")->description, std::nullopt);
    EXPECT_EQ(repo_->get("acme", "s1")->envVarsJson, "[]");
    EXPECT_EQ(repo_->updateDetails("other", "s1", std::nullopt, "[]").ToString(),
              "NotFound: Skill not found");

    EXPECT_EQ(repo_->remove("other", "s1").ToString(), "NotFound: Skill not found");
    ASSERT_TRUE(repo_->remove("acme", "s1").ok());
    EXPECT_EQ(Render(repo_->versions("s1")), "");
    EXPECT_FALSE(*repo_->cidInAnyLibrary("c2"));
    EXPECT_EQ(Render(repo_->versionsInWorkspace("acme")), "s2@0.1.0=c9");
}

TEST_F(SkillRepositoryTest, CountsHubInstallsAcrossWorkspaces) {
    SkillRecord a = MakeSkill("s1", "acme", "platform");
    a.hubSkillId = "hub-1";
    SkillRecord b = MakeSkill("s2", "other", "platform");
    b.hubSkillId = "hub-1";
    SkillRecord c = MakeSkill("s3", "other", "snapshots");
    c.hubSkillId = "hub-2";
    for (const auto& s : {a, b, c, MakeSkill("s4", "acme", "mine")})
        ASSERT_TRUE(repo_->insert(s, MakeVersion(s.id, "1.0.0", "c-" + s.id)).ok());
    auto counts = repo_->hubInstallCounts();
    ASSERT_TRUE(counts.ok());
    std::vector<std::pair<std::string, int64_t>> expected = {{"hub-1", 2}, {"hub-2", 1}};
    EXPECT_EQ(*counts, expected);
}

TEST_F(SkillRepositoryTest, AttachMovesVersionsAndKeepsTheFirstAttachTime) {
    AddAgent("xa", 200000);
    AddAgent("xb", 200001);
    ASSERT_TRUE(
        repo_->insert(MakeSkill("s1", "acme", "weather"), MakeVersion("s1", "1.0.0", "c1")).ok());
    ASSERT_TRUE(
        repo_->insert(MakeSkill("s2", "acme", "alpha"), MakeVersion("s2", "1.0.0", "c5")).ok());
    ASSERT_TRUE(repo_->attach({"xa", "s1", "1.0.0", "c1", 50}).ok());
    ASSERT_TRUE(repo_->attach({"xa", "s2", "1.0.0", "c5", 60}).ok());
    ASSERT_TRUE(repo_->attach({"xb", "s1", "1.0.0", "c1", 70}).ok());
    ASSERT_TRUE(repo_->attach({"xa", "s1", "2.0.0", "c2", 80}).ok());

    auto attached = repo_->attachedTo("xa");
    ASSERT_TRUE(attached.ok());
    ASSERT_EQ(attached->size(), 2u);
    EXPECT_EQ((*attached)[0].skill.name, "alpha");
    EXPECT_EQ((*attached)[1].skill.name, "weather");
    AgentSkillRecord moved{"xa", "s1", "2.0.0", "c2", 50};
    EXPECT_EQ((*attached)[1].attachment, moved);
    EXPECT_EQ(*repo_->agentsWith("s1"), (std::vector<std::string>{"xa", "xb"}));

    ASSERT_TRUE(AgentRepository(*db_).markDeleted("xb", 90).ok());
    EXPECT_EQ(*repo_->agentsWith("s1"), std::vector<std::string>{"xa"});

    EXPECT_TRUE(*repo_->detach("xa", "s1"));
    EXPECT_FALSE(*repo_->detach("xa", "s1"));
    EXPECT_TRUE(repo_->agentsWith("s1")->empty());
    ASSERT_TRUE(repo_->detachAll("xa").ok());
    EXPECT_TRUE(repo_->attachedTo("xa")->empty());
    EXPECT_EQ(repo_->attachedTo("xb")->size(), 1u);
}

}  // namespace
}  // namespace pinfold::store
