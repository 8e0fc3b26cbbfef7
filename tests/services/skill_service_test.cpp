// SkillService on a real SQLite store and block store: the library (archives, CIDs, hub slugs,
// versions, deletion), attaching skills to an agent's home as the agent's uid, updates, and the
// hub's install counts. Semantic version precedence is tested here too.
#include "services/skill_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/base64.h"
#include "sandbox/agent_home.h"
#include "sandbox/safe_files.h"
#include "skill_test_util.h"
#include "store/agent_repository.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

using testutil::MakeTar;
using testutil::ReadText;
using testutil::TarEntry;
using testutil::WriteText;

class ManualClock final : public Clock {
  public:
    int64_t nowMs() const override { return now; }
    std::chrono::steady_clock::time_point steadyNow() const override {
        return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now));
    }
    int64_t now = 1796312848000;
};

std::string SkillMd(const std::string& name, const std::string& description) {
    return "---\nname: " + name + "\ndescription: " + description + "\n---\n# " + name + "\n";
}

// A base64 tar.gz of a skill folder "name/" with SKILL.md, .env.example and a nested file.
std::string Archive(const std::string& name, const std::string& description = "Does things.",
                    const std::string& extra = "v1") {
    return crypto::Base64Encode(
        MakeTar({TarEntry::File(name + "/SKILL.md", SkillMd(name, description)),
                 TarEntry::File(name + "/.env.example", "# The key\nAPI_KEY=\n"),
                 TarEntry::File(name + "/docs/notes.txt", extra)}));
}

SkillSource FromArchive(const std::string& archive, std::optional<std::string> version = {}) {
    SkillSource source;
    source.archiveBase64 = archive;
    source.version = std::move(version);
    return source;
}

SkillSource FromCid(const std::string& cid) {
    SkillSource source;
    source.skillCid = cid;
    return source;
}

TEST(CompareSemanticVersions, FollowsSemverPrecedence) {
    // Each is older than the next (semver.org's own example, then larger numbers).
    std::vector<std::string> ordered = {"1.0.0-alpha",
                                        "1.0.0-alpha.1",
                                        "1.0.0-alpha.beta",
                                        "1.0.0-beta",
                                        "1.0.0-beta.2",
                                        "1.0.0-beta.11",
                                        "1.0.0-rc.1",
                                        "1.0.0",
                                        "1.0.1",
                                        "1.2.0",
                                        "1.10.0",
                                        "2.0.0",
                                        "10.0.0",
                                        "99999999999999999999.0.0"};
    for (size_t i = 0; i + 1 < ordered.size(); ++i) {
        EXPECT_LT(CompareSemanticVersions(ordered[i], ordered[i + 1]), 0) << ordered[i];
        EXPECT_GT(CompareSemanticVersions(ordered[i + 1], ordered[i]), 0) << ordered[i];
        EXPECT_EQ(CompareSemanticVersions(ordered[i], ordered[i]), 0) << ordered[i];
    }
    EXPECT_EQ(CompareSemanticVersions("1.0.0+build.1", "1.0.0+build.2"), 0);
    EXPECT_EQ(CompareSemanticVersions("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
}

class SkillServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        layout_.root = dir_.file("data");
        std::filesystem::create_directories(layout_.root);
        auto db = store::OpenSqliteDb(layout_.root + "/p.db");
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(store::Migrate(*db_).ok());
        blocks_ = std::make_unique<content::BlockStore>(layout_.blocks());

        const std::string hubDir = dir_.file("hub");
        WriteText(hubDir + "/acme/weather/skill/SKILL.md",
                  SkillMd("weather", "Reads the weather."));
        WriteText(hubDir + "/acme/weather/hub.json",
                  R"({"category": "data", "version": "2.1.0", "createdAt": "2026-12-01T00:00:00Z",
                      "authorName": "Acme", "featured": true})");
        WriteText(hubDir + "/acme/notes/skill/SKILL.md", SkillMd("notes", "Keeps notes."));
        WriteText(hubDir + "/acme/notes/hub.json",
                  R"({"category": "tools", "version": "1.0.0", "createdAt": "2026-12-02T00:00:00Z",
                      "authorName": "Acme"})");
        auto hub = HubCatalog::Load(hubDir, *blocks_);
        ASSERT_TRUE(hub.ok()) << hub.status().ToString();
        hub_ = std::move(*hub);
        service_ = std::make_unique<SkillService>(*db_, *blocks_, hub_, clock_, layout_);
    }

    // A live agent of `workspace` with a prepared home; returns its id.
    std::string addAgent(const std::string& id, const std::string& workspace = "acme") {
        store::AgentRecord a;
        a.id = id;
        a.workspace = workspace;
        a.name = id;
        a.engine = "openclaw";
        a.engineVersion = "1";
        a.gatewayToken = "token-" + id;
        a.hostUid = uid_ + static_cast<uint32_t>(agents_++);
        EXPECT_TRUE(store::AgentRepository(*db_).insert(a).ok());
        EXPECT_TRUE(sandbox::PrepareAgentHome(layout_.agentHome(id), a.hostUid).ok());
        return id;
    }
    std::string skillsDir(const std::string& agentId) {
        return layout_.agentHome(agentId) + "/clawd/workspace/skills";
    }
    SkillView addOk(const std::string& workspace, const SkillSource& source) {
        Result<LibraryAddition> added = service_->add(workspace, source);
        EXPECT_TRUE(added.ok()) << added.status().ToString();
        if (!added.ok())
            return {};
        EXPECT_EQ(added->conflict, std::nullopt);
        return added->skill;
    }
    std::string error(const Status& s) { return s.ToString(); }

    testing::TempDir dir_;
    DataLayout layout_;
    std::unique_ptr<store::Db> db_;
    std::unique_ptr<content::BlockStore> blocks_;
    HubCatalog hub_;
    ManualClock clock_;
    std::unique_ptr<SkillService> service_;
    uint32_t uid_ = 900000 + static_cast<uint32_t>(::getpid() % 20000) * 4;
    int agents_ = 0;
};

TEST_F(SkillServiceTest, AddsFromAnArchiveAndRefusesTheSameNameTwice) {
    SkillView skill = addOk("acme", FromArchive(Archive("weather-now")));
    EXPECT_EQ(skill.record.name, "weather-now");
    EXPECT_EQ(skill.record.description, "Does things.");
    EXPECT_EQ(skill.record.slug, std::nullopt);
    ASSERT_EQ(skill.envVars.size(), 1u);
    EXPECT_EQ(skill.envVars[0].name, "API_KEY");
    EXPECT_EQ(skill.envVars[0].description, "The key");
    EXPECT_EQ(skill.latest.version, "1.0.0");
    EXPECT_TRUE(skill.latest.cid.starts_with("bafy")) << skill.latest.cid;
    EXPECT_EQ(skill.latest.createdAtMs, clock_.now);

    Result<LibraryAddition> again = service_->add("acme", FromArchive(Archive("weather-now")));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->conflict, "Skill weather-now is already in the library");
    EXPECT_EQ(again->skill.record.id, skill.record.id);
    // Another workspace has its own library.
    EXPECT_EQ(addOk("other", FromArchive(Archive("weather-now"))).latest.cid, skill.latest.cid);
    EXPECT_EQ(service_->list("acme")->size(), 1u);
    // Nothing is left in the temporary folder.
    EXPECT_TRUE(std::filesystem::is_empty(layout_.root + "/tmp"));
}

TEST_F(SkillServiceTest, OverridesAndBadSources) {
    SkillSource source = FromArchive(Archive("weather-now"), "0.3.0-beta.1");
    source.description = "  Mine.  ";
    source.envVars = {"REGION", "API_KEY"};
    SkillView skill = addOk("acme", source);
    EXPECT_EQ(skill.record.description, "Mine.");
    EXPECT_EQ(skill.latest.version, "0.3.0-beta.1");
    ASSERT_EQ(skill.envVars.size(), 2u);
    EXPECT_EQ(skill.envVars[1].name, "REGION");
    EXPECT_EQ(skill.envVars[1].description, std::nullopt);

    auto failure = [&](const SkillSource& s) { return error(service_->add("acme", s).status()); };
    SkillSource neither;
    EXPECT_EQ(failure(neither),
              "InvalidArgument: Validation failed: skillCid or archiveBase64 is required");
    SkillSource both = FromArchive("eA==");
    both.skillCid = "@acme/weather";
    EXPECT_EQ(
        failure(both),
        "InvalidArgument: Validation failed: give either archiveBase64 or skillCid, not both");
    EXPECT_EQ(failure(FromArchive("not base64!")),
              "InvalidArgument: Validation failed: archiveBase64 must be base64");
    EXPECT_EQ(failure(FromArchive("")),
              "InvalidArgument: Validation failed: archiveBase64 is empty");
    EXPECT_EQ(failure(FromArchive(crypto::Base64Encode("plain text"))),
              "InvalidArgument: Invalid skill archive: Unrecognized archive format");
    EXPECT_EQ(failure(FromArchive(Archive("x"), "v1")),
              "InvalidArgument: Validation failed: version must be a semantic version like 1.2.3 "
              "(at most 64 characters)");
    SkillSource badVar = FromArchive(Archive("x"));
    badVar.envVars = {"OK", "NOT-OK"};
    EXPECT_EQ(
        failure(badVar),
        "InvalidArgument: Validation failed: envVars[1] must be an environment variable name");
    SkillSource longDescription = FromArchive(Archive("x"));
    longDescription.description = std::string(1025, 'd');
    EXPECT_EQ(failure(longDescription),
              "InvalidArgument: Validation failed: description must be UTF-8 of at most 1024 "
              "characters");
    EXPECT_EQ(failure(FromArchive(
                  crypto::Base64Encode(MakeTar({TarEntry::File("SKILL.md", "no front matter")})))),
              "InvalidArgument: SKILL.md: front matter is missing (the file must start with a --- "
              "line)");
    EXPECT_EQ(failure(FromArchive(crypto::Base64Encode(MakeTar(
                  {TarEntry::File("SKILL.md", SkillMd("x", "y")), TarEntry::File("../x", "z")})))),
              "InvalidArgument: Archive entry \"../x\" has a \"..\" part");
    EXPECT_EQ(failure(FromArchive(std::string(60 << 20, 'A'))),
              "TooLarge: Skill archive is larger than 41943040 bytes");
    EXPECT_EQ(service_->list("acme")->size(), 1u);
}

TEST_F(SkillServiceTest, AddsByCidOnlyWhatALibraryOrTheHubHolds) {
    SkillView theirs = addOk("other", FromArchive(Archive("shared")));
    SkillView mine = addOk("acme", FromCid(theirs.latest.cid));
    EXPECT_EQ(mine.record.name, "shared");
    EXPECT_EQ(mine.latest.cid, theirs.latest.cid);
    EXPECT_NE(mine.record.id, theirs.record.id);
    EXPECT_EQ(mine.envVars.size(), 1u);

    // A hub listing's CID gives a plain entry; its slug gives the hub's version and slug.
    HubSkill weather = *hub_.find("@acme/weather");
    SkillView byCid = addOk("third", FromCid(weather.skillCid));
    EXPECT_EQ(byCid.record.slug, std::nullopt);
    EXPECT_EQ(byCid.latest.version, "1.0.0");
    SkillView bySlug = addOk("acme", FromCid("@acme/weather"));
    EXPECT_EQ(bySlug.record.slug, "@acme/weather");
    EXPECT_EQ(bySlug.record.hubSkillId, weather.hubSkillId);
    EXPECT_EQ(bySlug.latest.version, "2.1.0");
    EXPECT_EQ(bySlug.latest.cid, weather.skillCid);

    // Blocks of anything else (a snapshot, say) are not reachable by CID.
    testing::TempDir other;
    WriteText(other.file("f/SKILL.md"), SkillMd("secret-stuff", "Private."));
    auto imported = ImportSkillFolder(other.file("f"), *blocks_);
    ASSERT_TRUE(imported.ok());
    EXPECT_EQ(error(service_->add("acme", FromCid(imported->skillCid)).status()),
              "NotFound: Skill CID not found: " + imported->skillCid);
    EXPECT_EQ(error(service_->add("acme", FromCid("@acme/missing")).status()),
              "NotFound: Skill not found: @acme/missing");
    EXPECT_EQ(error(service_->add("acme", FromCid("not-a-cid")).status()),
              "InvalidArgument: Validation failed: skillCid must be a CID or a hub slug "
              "(@owner/name)");
}

TEST_F(SkillServiceTest, VersionsAreNewestFirstAndOnlyNewerOnesArePublished) {
    SkillView skill = addOk("acme", FromArchive(Archive("tool"), "1.0.0"));
    clock_.now += 1000;
    auto publish = [&](const std::string& archive, const std::string& version) {
        auto p = service_->publish("acme", skill.record.id, FromArchive(archive, version));
        return p.ok() ? p->version.version : p.status().ToString();
    };
    EXPECT_EQ(publish(Archive("tool", "Does more.", "v2"), "1.10.0"), "1.10.0");
    EXPECT_EQ(publish(Archive("tool", "Does more.", "v3"), "1.9.0"),
              "Conflict: Version 1.9.0 is not newer than 1.10.0");
    EXPECT_EQ(publish(Archive("tool", "Does more.", "v3"), "1.10.0"),
              "Conflict: Version 1.10.0 is not newer than 1.10.0");
    EXPECT_EQ(publish(Archive("tool", "Does more.", "v2"), "2.0.0"),
              "Conflict: Skill tool already has this content as version 1.10.0");
    EXPECT_EQ(publish(Archive("other-name"), "3.0.0"),
              "InvalidArgument: Validation failed: SKILL.md names the skill other-name, not tool");
    EXPECT_EQ(
        error(service_->publish("acme", skill.record.id, FromArchive(Archive("tool"))).status()),
        "InvalidArgument: Validation failed: version is required");
    EXPECT_EQ(publish(Archive("tool", "Does more.", "v4"), "2.0.0-rc.1"), "2.0.0-rc.1");

    auto versions = service_->versions("acme", skill.latest.cid);  // any version's CID names it
    ASSERT_TRUE(versions.ok()) << versions.status().ToString();
    std::string order;
    for (const auto& v : versions->versions)
        order += v.version + " ";
    EXPECT_EQ(order, "2.0.0-rc.1 1.10.0 1.0.0 ");
    EXPECT_EQ(versions->skill.latest.version, "2.0.0-rc.1");
    EXPECT_EQ(versions->skill.record.description, "Does more.");
    EXPECT_EQ(error(service_->versions("other", skill.record.id).status()),
              "NotFound: Skill not found");
}

TEST_F(SkillServiceTest, RemovesByAnyVersionsCidUnlessAttached) {
    SkillView skill = addOk("acme", FromArchive(Archive("tool")));
    std::string firstCid = skill.latest.cid;
    ASSERT_TRUE(
        service_->publish("acme", skill.record.id, FromArchive(Archive("tool", "x", "v2"), "2.0.0"))
            .ok());
    std::string agent = addAgent("xagent01");
    ASSERT_TRUE(service_->attach("acme", agent, {skill.record.id}).ok());
    EXPECT_EQ(error(service_->remove("acme", firstCid).status()),
              "Conflict: Skill tool is still attached to agents: xagent01; detach it first");
    EXPECT_EQ(error(service_->remove("other", firstCid).status()), "NotFound: Skill not found");
    ASSERT_TRUE(service_->detach("acme", agent, skill.record.id).ok());
    auto removed = service_->remove("acme", firstCid);
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
    EXPECT_EQ(removed->record.name, "tool");
    EXPECT_EQ(removed->latest.version, "2.0.0");
    EXPECT_TRUE(service_->list("acme")->empty());
    EXPECT_EQ(error(service_->remove("acme", firstCid).status()), "NotFound: Skill not found");
}

TEST_F(SkillServiceTest, AttachWritesFilesAsTheAgentAndDetachRemovesThem) {
    SkillView skill = addOk("acme", FromArchive(Archive("tool")));
    std::string agent = addAgent("xagent01");
    // Something the agent left at the skill's place is replaced.
    ASSERT_TRUE(sandbox::WriteFileInRoot(layout_.agentHome(agent),
                                         "clawd/workspace/skills/tool/stale.txt", uid_, "old",
                                         sandbox::WriteMode::kCreateParents)
                    .ok());
    auto attached = service_->attach("acme", agent, {skill.latest.cid});
    ASSERT_TRUE(attached.ok()) << attached.status().ToString();
    EXPECT_EQ(*attached, 1u);
    EXPECT_EQ(testutil::RenderTree(skillsDir(agent)),
              "d tool\nf tool/.env.example 19\nf tool/SKILL.md 52\nd tool/docs\n"
              "f tool/docs/notes.txt 2\n");
    EXPECT_EQ(ReadText(skillsDir(agent) + "/tool/SKILL.md"), SkillMd("tool", "Does things."));
    struct stat st;
    ASSERT_EQ(::stat((skillsDir(agent) + "/tool/docs/notes.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);

    auto listed = service_->attachedTo("acme", agent);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].attachment.version, "1.0.0");
    EXPECT_EQ((*listed)[0].attachment.attachedAtMs, clock_.now);
    EXPECT_EQ(error(service_->attachedTo("other", agent).status()), "NotFound: Agent not found");

    EXPECT_EQ(error(service_->detach("other", agent, skill.record.id).status()),
              "NotFound: Agent not found");
    auto detached = service_->detach("acme", agent, skill.record.id);
    ASSERT_TRUE(detached.ok()) << detached.status().ToString();
    EXPECT_EQ(detached->skill.name, "tool");
    EXPECT_FALSE(std::filesystem::exists(skillsDir(agent) + "/tool"));
    EXPECT_EQ(error(service_->detach("acme", agent, skill.record.id).status()),
              "NotFound: Skill is not attached to this agent");
    EXPECT_EQ(service_->list("acme")->size(), 1u);  // the library keeps it
}

TEST_F(SkillServiceTest, AttachChecksEveryRefAndTheLimit) {
    std::string agent = addAgent("xagent01");
    std::vector<std::string> ids;
    for (int i = 0; i < 11; ++i)
        ids.push_back(addOk("acme", FromArchive(Archive("s" + std::to_string(i)))).record.id);
    SkillView theirs = addOk("other", FromArchive(Archive("theirs")));
    auto attach = [&](const std::vector<std::string>& refs) {
        auto r = service_->attach("acme", agent, refs);
        return r.ok() ? std::to_string(*r) : r.status().ToString();
    };
    EXPECT_EQ(attach({}), "InvalidArgument: Validation failed: skillCids must not be empty");
    EXPECT_EQ(attach({ids[0], theirs.record.id}), "NotFound: Skill not found: " + theirs.record.id);
    EXPECT_EQ(attach({ids[0], theirs.latest.cid}),
              "NotFound: Skill not found: " + theirs.latest.cid);
    EXPECT_EQ(attach({"@acme/weather"}), "NotFound: Skill not found: @acme/weather");
    EXPECT_EQ(attach({"../../etc"}), "NotFound: Skill not found: ../../etc");
    EXPECT_TRUE(service_->attachedTo(agent)->empty());  // nothing of a refused request stays

    std::vector<std::string> ten(ids.begin(), ids.begin() + 10);
    ten.push_back(ids[0]);  // named twice, counted once
    EXPECT_EQ(attach(ten), "10");
    EXPECT_EQ(attach({ids[10]}),
              "InvalidArgument: Validation failed: skills exceeds maximum of 10");
    EXPECT_EQ(attach({ids[3]}), "1");  // already attached: fine
    EXPECT_EQ(service_->attachedTo(agent)->size(), 10u);
    EXPECT_EQ(error(service_->checkAttachable("acme", ids)),
              "InvalidArgument: Validation failed: skills exceeds maximum of 10");
    EXPECT_TRUE(service_->checkAttachable("acme", {ids[10]}).ok());
    EXPECT_EQ(error(service_->attach("other", agent, {theirs.record.id}).status()),
              "NotFound: Agent not found");
}

TEST_F(SkillServiceTest, UpdatesMoveAnAttachedSkillBetweenVersions) {
    SkillView skill = addOk("acme", FromArchive(Archive("tool", "One.", "v1")));
    std::string agent = addAgent("xagent01");
    ASSERT_TRUE(service_->attach("acme", agent, {skill.record.id}).ok());
    EXPECT_TRUE(service_->updates("acme", agent)->empty());
    auto published = service_->publish("acme", skill.record.id,
                                       FromArchive(Archive("tool", "Two.", "v2!"), "1.1.0"));
    ASSERT_TRUE(published.ok()) << published.status().ToString();

    auto updates = service_->updates("acme", agent);
    ASSERT_TRUE(updates.ok());
    ASSERT_EQ(updates->size(), 1u);
    EXPECT_EQ((*updates)[0].current.attachment.version, "1.0.0");
    EXPECT_EQ((*updates)[0].latest.version, "1.1.0");
    EXPECT_EQ((*updates)[0].latest.cid, published->version.cid);

    auto updated = service_->update("acme", agent, skill.record.id, std::nullopt);
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    EXPECT_EQ(updated->previousVersion, "1.0.0");
    EXPECT_EQ(updated->skill.attachment.version, "1.1.0");
    EXPECT_EQ(ReadText(skillsDir(agent) + "/tool/docs/notes.txt"), "v2!");
    EXPECT_TRUE(service_->updates("acme", agent)->empty());
    EXPECT_EQ(error(service_->update("acme", agent, skill.record.id, std::nullopt).status()),
              "Conflict: Skill tool is already at version 1.1.0");
    EXPECT_EQ(error(service_->update("acme", agent, skill.record.id, "9.9.9").status()),
              "NotFound: Skill tool has no version 9.9.9");
    auto rolledBack = service_->update("acme", agent, skill.record.id, "1.0.0");
    ASSERT_TRUE(rolledBack.ok());
    EXPECT_EQ(ReadText(skillsDir(agent) + "/tool/docs/notes.txt"), "v1");
    EXPECT_EQ(service_->attachedTo(agent)->at(0).attachment.cid, skill.latest.cid);
}

TEST_F(SkillServiceTest, HubInstallsAreCountedAndHappenOncePerWorkspace) {
    auto installed = service_->install("acme", "@acme/weather");
    ASSERT_TRUE(installed.ok()) << installed.status().ToString();
    EXPECT_EQ(installed->conflict, std::nullopt);
    EXPECT_EQ(installed->skill.record.slug, "@acme/weather");
    EXPECT_EQ(installed->skill.latest.version, "2.1.0");
    auto again = service_->install("acme", hub_.find("acme/weather")->hubSkillId);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->conflict, "Skill is already installed");
    EXPECT_EQ(again->skill.record.id, installed->skill.record.id);
    ASSERT_TRUE(service_->install("other", "acme/weather").ok());
    EXPECT_EQ(error(service_->install("acme", "@acme/nothing").status()),
              "NotFound: Skill not found");

    EXPECT_EQ(service_->hubFind("@acme/weather")->installCount, 2u);
    EXPECT_EQ(service_->hubFind("@acme/notes")->installCount, 0u);
    auto page = service_->hubList({});
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->skills.size(), 2u);
    EXPECT_EQ(page->skills[0].skill.slug, "@acme/weather");
    EXPECT_EQ(page->skills[0].installCount, 2u);

    // Library refs by slug, with or without '@'.
    std::string agent = addAgent("xagent01");
    EXPECT_EQ(*service_->attach("acme", agent, {"acme/weather"}), 1u);
    EXPECT_EQ(ReadText(skillsDir(agent) + "/weather/SKILL.md"),
              SkillMd("weather", "Reads the weather."));
    EXPECT_EQ(service_->versions("acme", "@acme/weather")->versions.size(), 1u);
}

}  // namespace
}  // namespace pinfold::services
