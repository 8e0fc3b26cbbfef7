// The local ClawHub: hub.json checks, loading a catalog folder (the repository's own hub/
// included), queries, paging and lookups.
#include "services/hub_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "content/content_test_util.h"
#include "content/importer.h"
#include "content/memory_block_store.h"
#include "core/clock.h"
#include "crypto/base64.h"
#include "services/hub_json.h"
#include "skill_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

using testutil::WriteText;

const std::string kRepoHub = std::string(PINFOLD_SOURCE_DIR) + "/hub";

// Slugs of a page, in order, with install counts when non-zero: "@a/x(3) @a/y".
std::string Slugs(const HubPage& page) {
    std::string out;
    for (const HubListEntry& e : page.skills) {
        out += (out.empty() ? "" : " ") + e.skill.slug;
        if (e.installCount > 0)
            out += "(" + std::to_string(e.installCount) + ")";
    }
    return out;
}

std::string Slugs(const HubCatalog& catalog, const HubQuery& query,
                  const HubInstallCounts& installs = {}) {
    Result<HubPage> page = catalog.list(query, installs);
    return page.ok() ? Slugs(*page) : page.status().message();
}

// ---- hub.json ----

SkillManifest ManifestWithEnv() {
    return {"demo", "Demo.", {{"API_KEY", "The key"}, {"REGION", std::nullopt}}};
}

std::string HubJsonError(const std::string& json) {
    Result<HubSkill> skill = ParseHubJson(json, ManifestWithEnv());
    return skill.ok() ? "ok" : skill.status().message();
}

const std::string kMinimal =
    R"("category": "tools", "version": "1.0.0", "createdAt": "2026-12-01T00:00:00Z",)"
    R"( "authorName": "Ada")";

TEST(ParseHubJson, ReadsEveryField) {
    Result<HubSkill> skill = ParseHubJson(R"({
        "category": "data-tools", "version": "2.1.0-beta.1+build.5",
        "createdAt": "2026-12-01T10:20:30.5Z", "updatedAt": "2026-12-02T00:00:00Z",
        "authorName": "Ada", "authorUrl": "https://ada.example", "authorLogoUrl": null,
        "readmeUrl": "http://ada.example/readme", "longDescription": "Long *markdown*.",
        "tags": ["a", "b"], "featured": true,
        "envVars": [{"name": "REGION", "description": "Where", "guideUrl": "https://g.example",
                     "guideSteps": ["one", "two"], "required": false}]
    })",
                                          ManifestWithEnv());
    ASSERT_TRUE(skill.ok()) << skill.status().ToString();
    EXPECT_EQ(skill->name, "demo");
    EXPECT_EQ(skill->description, "Demo.");
    EXPECT_EQ(skill->category, "data-tools");
    EXPECT_EQ(skill->version, "2.1.0-beta.1+build.5");
    EXPECT_EQ(FormatIso8601(skill->createdAtMs), "2026-12-01T10:20:30.500Z");
    EXPECT_EQ(FormatIso8601(skill->updatedAtMs), "2026-12-02T00:00:00.000Z");
    EXPECT_EQ(skill->authorName, "Ada");
    EXPECT_EQ(skill->authorUrl, "https://ada.example");
    EXPECT_EQ(skill->authorLogoUrl, std::nullopt);
    EXPECT_EQ(skill->readmeUrl, "http://ada.example/readme");
    EXPECT_EQ(skill->longDescription, "Long *markdown*.");
    EXPECT_EQ(skill->tags, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(skill->featured);
    // .env.example's order and comments; hub.json adds guides and may replace the description.
    ASSERT_EQ(skill->envVars.size(), 2u);
    EXPECT_EQ(skill->envVars[0].name, "API_KEY");
    EXPECT_EQ(skill->envVars[0].description, "The key");
    EXPECT_EQ(skill->envVars[0].guideUrl, std::nullopt);
    EXPECT_TRUE(skill->envVars[0].guideSteps.empty());
    EXPECT_TRUE(skill->envVars[0].required);
    EXPECT_EQ(skill->envVars[1].name, "REGION");
    EXPECT_EQ(skill->envVars[1].description, "Where");
    EXPECT_EQ(skill->envVars[1].guideUrl, "https://g.example");
    EXPECT_EQ(skill->envVars[1].guideSteps, (std::vector<std::string>{"one", "two"}));
    EXPECT_FALSE(skill->envVars[1].required);
}

TEST(ParseHubJson, DefaultsOptionalFields) {
    Result<HubSkill> skill = ParseHubJson("{" + kMinimal + "}", ManifestWithEnv());
    ASSERT_TRUE(skill.ok()) << skill.status().ToString();
    EXPECT_EQ(skill->updatedAtMs, skill->createdAtMs);
    EXPECT_FALSE(skill->featured);
    EXPECT_TRUE(skill->tags.empty());
    EXPECT_EQ(skill->longDescription, std::nullopt);
    EXPECT_EQ(skill->envVars.size(), 2u);
}

TEST(ParseHubJson, NamesTheFieldThatIsWrong) {
    struct Case {
        std::string json;
        std::string message;
    };
    auto with = [](const std::string& extra) { return "{" + kMinimal + ", " + extra + "}"; };
    for (const Case& c : std::vector<Case>{
             {"[]", "hub.json: must be a JSON object"},
             {"{", "hub.json: not valid JSON (incomplete JSON)"},
             {with(R"("colour": "red")"), "hub.json: unknown field \"colour\""},
             {R"({"version": "1.0.0", "createdAt": "2026-12-01T00:00:00Z", "authorName": "A"})",
              "hub.json: category is missing"},
             {R"({"category": 5})", "hub.json: category must be a string"},
             {R"({"category": "Big Data"})",
              "hub.json: category must use lowercase letters, digits and hyphens"},
             {R"({"category": "t", "version": "1.0"})",
              "hub.json: version must be a semantic version like 1.0.0"},
             {R"({"category": "t", "version": "1.0.0"})", "hub.json: createdAt is missing"},
             {R"({"category": "t", "version": "1.0.0", "createdAt": "yesterday"})",
              "hub.json: createdAt must be an RFC 3339 UTC time like 2026-07-01T00:00:00Z"},
             {with(R"("updatedAt": "2026-11-30T23:59:59Z")"),
              "hub.json: updatedAt must not be before createdAt"},
             {R"({"category": "t", "version": "1.0.0", "createdAt": "2026-12-01T00:00:00Z"})",
              "hub.json: authorName is missing"},
             {with(R"("authorUrl": "javascript:void")"),
              "hub.json: authorUrl must be an http(s) URL"},
             {with(R"("authorLogoUrl": "")"),
              "hub.json: authorLogoUrl must be 1 to 2000 characters"},
             {with(R"("featured": "yes")"), "hub.json: featured must be true or false"},
             {with(R"("tags": ["a", 1])"),
              "hub.json: tags must be an array of at most 10 strings of 1 to 32 characters"},
             {with(R"("tags": ["1","2","3","4","5","6","7","8","9","10","11"])"),
              "hub.json: tags must be an array of at most 10 strings of 1 to 32 characters"},
             {with(R"("envVars": {})"), "hub.json: envVars must be an array"},
             {with(R"("envVars": ["API_KEY"])"), "hub.json: envVars[0] must be an object"},
             {with(R"("envVars": [{"description": "x"}])"),
              "hub.json: envVars[0].name must be a string"},
             {with(R"("envVars": [{"name": "API_KEY"}, {"name": "SECRET"}])"),
              "hub.json: envVars[1].name \"SECRET\" is not in .env.example"},
             {with(R"("envVars": [{"name": "REGION"}, {"name": "REGION"}])"),
              "hub.json: envVars[1].name \"REGION\" is listed twice"},
             {with(R"("envVars": [{"name": "REGION", "hint": "x"}])"),
              "hub.json: envVars[0].unknown field \"hint\""},
             {with(R"("envVars": [{"name": "REGION", "required": "no"}])"),
              "hub.json: envVars[0].required must be true or false"},
             {with(R"("envVars": [{"name": "REGION", "guideUrl": "ftp://x"}])"),
              "hub.json: envVars[0].guideUrl must be an http(s) URL"},
         }) {
        EXPECT_EQ(HubJsonError(c.json), c.message) << c.json;
    }
}

TEST(ParseUtcTimestamp, AcceptsOnlyUtcRfc3339) {
    EXPECT_EQ(ParseUtcTimestamp("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(ParseUtcTimestamp("2026-12-03T13:47:28.123Z"), 1796305648123);
    EXPECT_EQ(ParseUtcTimestamp("2026-12-03T13:47:28.123456789Z"), 1796305648123);
    EXPECT_EQ(ParseUtcTimestamp("2024-02-29T00:00:00Z"), 1709164800000);
    for (const char* bad : {"2026-12-03", "2026-12-03T13:47:28", "2026-12-03T13:47:28+00:00",
                            "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-03T24:00:00Z",
                            "2026-12-03T13:60:00Z", "2026-12-03 13:47:28Z", "2026-12-03T13:47:28.Z",
                            "2026-12-03T13:47:28,5Z", "+026-12-03T13:47:28Z"}) {
        EXPECT_EQ(ParseUtcTimestamp(bad), std::nullopt) << bad;
    }
}

TEST(IsSemanticVersion, FollowsSemver) {
    for (const char* good : {"0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1",
                             "1.0.0-0.3.7", "1.0.0-x-y-z.--", "1.0.0+001", "1.0.0-rc.1+build.1"}) {
        EXPECT_TRUE(IsSemanticVersion(good)) << good;
    }
    for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "v1.2.3", "1.2.3-",
                            "1.2.3+", "1.2.3-01", "1.2.3-a..b", "1.2.3-a_b", " 1.2.3", "1.2.-3"}) {
        EXPECT_FALSE(IsSemanticVersion(bad)) << bad;
    }
}

TEST(ParseHubSort, KnowsThreeOrders) {
    EXPECT_EQ(*ParseHubSort("popular"), HubSort::kPopular);
    EXPECT_EQ(*ParseHubSort("newest"), HubSort::kNewest);
    EXPECT_EQ(*ParseHubSort("name"), HubSort::kName);
    EXPECT_EQ(ParseHubSort("Popular").status().message(), "sort must be popular, newest or name");
    EXPECT_EQ(ParseHubSort("").status().message(), "sort must be popular, newest or name");
}

TEST(HubSkillIdForSlug, IsAVersion8UuidFromTheSlug) {
    // Expected value computed independently (Python hashlib) from the documented recipe.
    EXPECT_EQ(HubSkillIdForSlug("@pinfold/platform"), "cccc8542-b1aa-80f3-9c64-d2971234e1e4");
    EXPECT_NE(HubSkillIdForSlug("@pinfold/platforms"), HubSkillIdForSlug("@pinfold/platform"));
    std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    for (const char* slug : {"@a/b", "@x/y", "@pinfold/web-app-routes"})
        EXPECT_TRUE(std::regex_match(HubSkillIdForSlug(slug), uuid)) << slug;
}

// ---- the repository's hub/ ----

class RepoHubTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<HubCatalog> catalog = HubCatalog::Load(kRepoHub, blocks_);
        ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
        catalog_ = std::move(*catalog);
    }
    content::MemoryBlockStore blocks_;
    HubCatalog catalog_;
};

TEST_F(RepoHubTest, HoldsTheThreeStarterSkills) {
    std::vector<std::string> slugs;
    for (const HubSkill& s : catalog_.skills())
        slugs.push_back(s.slug + " " + s.name + " " + s.category + " " + s.version);
    EXPECT_EQ(slugs, (std::vector<std::string>{
                         "@pinfold/platform pinfold-platform platform 1.0.0",
                         "@pinfold/web-app-routes pinfold-web-app-routes web 1.0.0",
                         "@pinfold/workspace-snapshots pinfold-workspace-snapshots platform 1.0.0",
                     }));
    for (const HubSkill& s : catalog_.skills()) {
        EXPECT_EQ(s.hubSkillId, HubSkillIdForSlug(s.slug));
        EXPECT_EQ(s.skillDir, kRepoHub + "/" + s.slug.substr(1) + "/skill");
        EXPECT_TRUE(s.description && s.description->size() > 100) << s.slug;
        EXPECT_TRUE(s.longDescription && s.longDescription->size() > 200) << s.slug;
        EXPECT_EQ(s.authorName, "Pinfold");
        content::NullBlockSink null;
        Result<content::ImportResult> direct = content::ImportFolder(s.skillDir, null);
        ASSERT_TRUE(direct.ok());
        EXPECT_EQ(s.skillCid, direct->root.ToString()) << s.slug;
        EXPECT_TRUE(blocks_.has(direct->root)) << s.slug;
        // Every starter skill reads the three variables the server sets, none asked of the user.
        std::string vars;
        for (const HubEnvVar& v : s.envVars)
            vars += v.name + (v.required ? "!" : "") + (v.guideSteps.empty() ? "" : "+") + " ";
        EXPECT_EQ(vars, "PINFOLD_API_URL+ PINFOLD_AGENT_ID+ GATEWAY_TOKEN+ ") << s.slug;
    }
    const HubSkill& platform = catalog_.skills()[0];
    EXPECT_EQ(platform.hubSkillId, "cccc8542-b1aa-80f3-9c64-d2971234e1e4");
    EXPECT_EQ(platform.envVars[2].description,
              "This agent's gateway token: full access to this agent, keep it secret");
}

TEST_F(RepoHubTest, PlatformSkillTeachesTheTokenExchange) {
    std::string text = testutil::ReadText(catalog_.skills()[0].skillDir + "/SKILL.md");
    for (const char* needed :
         {"POST -H \"Authorization: Bearer $GATEWAY_TOKEN\"",
          "$PINFOLD_API_URL/v0/agents/$PINFOLD_AGENT_ID/platform/token",
          "Authorization: Bearer "
          "$PINFOLD_TOKEN",
          "/v0/secrets", "/v0/skills", "{\"skillCids\": [", "/v0/clawhub?sort=popular",
          "POST /v0/clawhub/@pinfold/web-app-routes/install", "/snapshots/sync",
          "{\"error\": \"<message>\"}"}) {
        EXPECT_NE(text.find(needed), std::string::npos) << needed;
    }
}

TEST_F(RepoHubTest, SortsAndFilters) {
    HubQuery query;
    query.sort = HubSort::kNewest;
    EXPECT_EQ(Slugs(catalog_, query),
              "@pinfold/web-app-routes @pinfold/workspace-snapshots @pinfold/platform");
    query.sort = HubSort::kName;
    EXPECT_EQ(Slugs(catalog_, query),
              "@pinfold/platform @pinfold/web-app-routes @pinfold/workspace-snapshots");
    query.sort = HubSort::kPopular;
    HubInstallCounts installs = {{HubSkillIdForSlug("@pinfold/workspace-snapshots"), 5},
                                 {HubSkillIdForSlug("@pinfold/web-app-routes"), 2},
                                 {HubSkillIdForSlug("@nobody/else"), 9}};
    EXPECT_EQ(Slugs(catalog_, query, installs),
              "@pinfold/workspace-snapshots(5) @pinfold/web-app-routes(2) @pinfold/platform");
    query.featuredOnly = true;
    EXPECT_EQ(Slugs(catalog_, query, installs),
              "@pinfold/workspace-snapshots(5) @pinfold/platform");
    query.featuredOnly = false;
    query.category = "web";
    EXPECT_EQ(Slugs(catalog_, query, installs), "@pinfold/web-app-routes(2)");
    query.category = "nothing";
    EXPECT_EQ(Slugs(catalog_, query, installs), "");
}

TEST_F(RepoHubTest, FindsBySlugOrId) {
    for (const std::string& key :
         {std::string("@pinfold/web-app-routes"), std::string("pinfold/web-app-routes"),
          std::string("@Pinfold/Web-App-Routes"), HubSkillIdForSlug("@pinfold/web-app-routes")}) {
        Result<HubSkill> skill = catalog_.find(key);
        ASSERT_TRUE(skill.ok()) << key;
        EXPECT_EQ(skill->slug, "@pinfold/web-app-routes");
    }
    for (const char* missing : {"@pinfold/nothing", "", "@", "web-app-routes", "@pinfold",
                                "cccc8542-b1aa-80f3-9c64-d2971234e1e5"}) {
        Result<HubSkill> skill = catalog_.find(missing);
        EXPECT_EQ(skill.status().code(), Status::Code::kNotFound) << missing;
        EXPECT_EQ(skill.status().message(), "Skill not found");
    }
}

TEST_F(RepoHubTest, PlatformCidEqualsTheNpmImporters) {
    content::testutil::RequireNodePackages();
    const HubSkill& platform = catalog_.skills()[0];
    EXPECT_EQ(platform.skillCid, content::testutil::NodeCid(platform.skillDir));
}

// ---- a catalog built here ----

class TempHubTest : public ::testing::Test {
  protected:
    // A listing at <owner>/<name> whose SKILL.md name is `skillName`.
    void AddListing(const std::string& where, const std::string& skillName,
                    const std::string& category, const std::string& createdAt,
                    bool featured = false) {
        WriteText(hub(where + "/skill/SKILL.md"),
                  "---\nname: " + skillName + "\ndescription: About " + skillName + ".\n---\n");
        WriteText(hub(where + "/hub.json"),
                  R"({"category": ")" + category + R"(", "version": "1.0.0", "createdAt": ")" +
                      createdAt + R"(", "authorName": "Test", "featured": )" +
                      (featured ? "true" : "false") + "}");
    }
    std::string hub(const std::string& relative = "") const {
        return temp_.file("hub") + (relative.empty() ? "" : "/" + relative);
    }
    Result<HubCatalog> Load() { return HubCatalog::Load(hub(), blocks_); }
    std::string LoadError() {
        Result<HubCatalog> catalog = Load();
        return catalog.ok() ? "ok" : catalog.status().message();
    }

    testing::TempDir temp_;
    content::MemoryBlockStore blocks_;
};

TEST_F(TempHubTest, PagesWithOpaqueCursors) {
    const char* names[] = {"golf", "alpha", "echo", "charlie", "bravo", "foxtrot", "delta"};
    for (int i = 0; i < 7; ++i) {
        AddListing("acme/" + std::string(names[i]), names[i], i % 2 ? "odd" : "even",
                   "2026-12-0" + std::to_string(i + 1) + "T00:00:00Z");
    }
    Result<HubCatalog> catalog = Load();
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    HubQuery query;
    query.sort = HubSort::kName;
    query.limit = 3;
    std::vector<std::string> pages;
    std::vector<std::string> cursors;
    for (int guard = 0; guard < 10; ++guard) {
        Result<HubPage> page = catalog->list(query);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        pages.push_back(Slugs(*page));
        if (!page->nextCursor)
            break;
        cursors.push_back(*page->nextCursor);
        query.cursor = page->nextCursor;
    }
    EXPECT_EQ(pages,
              (std::vector<std::string>{"@acme/alpha @acme/bravo @acme/charlie",
                                        "@acme/delta @acme/echo @acme/foxtrot", "@acme/golf"}));
    // Opaque: no plain offset in sight.
    for (const std::string& cursor : cursors)
        EXPECT_EQ(cursor.find_first_of("0123456789"), std::string::npos) << cursor;
    query.limit = 2;
    query.cursor.reset();
    query.sort = HubSort::kNewest;
    query.category = "even";
    EXPECT_EQ(Slugs(*catalog, query), "@acme/delta @acme/bravo");
    Result<HubPage> first = catalog->list(query);
    query.cursor = first->nextCursor;
    EXPECT_EQ(Slugs(*catalog, query), "@acme/echo @acme/golf");
    query.cursor.reset();
    query.limit = 100;
    Result<HubPage> all = catalog->list(query);
    EXPECT_EQ(all->nextCursor, std::nullopt);
    EXPECT_EQ(all->skills.size(), 4u);
}

TEST_F(TempHubTest, RefusesBadCursorsAndLimits) {
    AddListing("acme/one", "one", "misc", "2026-12-01T00:00:00Z");
    Result<HubCatalog> catalog = Load();
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    HubQuery query;
    for (const std::string& bad :
         {std::string("garbage!"), std::string(""), std::string("5"), crypto::Base64UrlEncode("o"),
          crypto::Base64UrlEncode("o01"), crypto::Base64UrlEncode("x5"),
          crypto::Base64UrlEncode("o-1"), crypto::Base64UrlEncode("o1234567890")}) {
        query.cursor = bad;
        Result<HubPage> page = catalog->list(query);
        EXPECT_EQ(page.status().code(), Status::Code::kInvalidArgument) << bad;
        EXPECT_EQ(page.status().message(), "Invalid cursor") << bad;
    }
    query.cursor = crypto::Base64UrlEncode("o7");  // past the end: an empty last page
    Result<HubPage> past = catalog->list(query);
    ASSERT_TRUE(past.ok());
    EXPECT_TRUE(past->skills.empty());
    EXPECT_EQ(past->nextCursor, std::nullopt);
    query.cursor.reset();
    for (size_t limit : {size_t{0}, size_t{101}}) {
        query.limit = limit;
        EXPECT_EQ(catalog->list(query).status().message(), "limit must be between 1 and 100");
    }
    query.limit = 100;
    EXPECT_EQ(Slugs(*catalog, query), "@acme/one");
}

TEST_F(TempHubTest, TiesSortByNameThenSlug) {
    AddListing("b/same", "same", "misc", "2026-12-01T00:00:00Z", true);
    AddListing("a/same", "same", "misc", "2026-12-01T00:00:00Z");
    AddListing("c/other", "Other", "misc", "2026-12-01T00:00:00Z");
    Result<HubCatalog> catalog = Load();
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    for (HubSort sort : {HubSort::kPopular, HubSort::kNewest, HubSort::kName}) {
        HubQuery query;
        query.sort = sort;
        EXPECT_EQ(Slugs(*catalog, query), "@c/other @a/same @b/same");
    }
    HubQuery featured;
    featured.featuredOnly = true;
    EXPECT_EQ(Slugs(*catalog, featured), "@b/same");
}

TEST_F(TempHubTest, IgnoresFilesAndHiddenFolders) {
    AddListing("acme/one", "one", "misc", "2026-12-01T00:00:00Z");
    WriteText(hub("README.md"), "# my hub");
    WriteText(hub("acme/NOTES.txt"), "notes");
    WriteText(hub(".git/HEAD"), "ref: refs/heads/main");
    WriteText(hub("acme/.draft/hub.json"), "not even JSON");
    Result<HubCatalog> catalog = Load();
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    ASSERT_EQ(catalog->skills().size(), 1u);
    EXPECT_EQ(catalog->skills()[0].slug, "@acme/one");
    std::filesystem::create_directories(temp_.file("empty-hub"));
    Result<HubCatalog> empty = HubCatalog::Load(temp_.file("empty-hub"), blocks_);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->skills().empty());
    EXPECT_EQ(Slugs(*empty, HubQuery{}), "");
    EXPECT_EQ(HubCatalog().find("@acme/one").status().message(), "Skill not found");
}

TEST_F(TempHubTest, FailsLoudlyNamingTheBadListing) {
    AddListing("acme/good", "good", "misc", "2026-12-01T00:00:00Z");
    std::filesystem::create_directories(hub("acme/bad/skill"));
    WriteText(hub("acme/bad/skill/SKILL.md"), "---\nname: bad\n---\n");
    EXPECT_EQ(LoadError(), "Hub entry acme/bad: hub.json is missing");
    WriteText(hub("acme/bad/hub.json"), R"({"category": "misc", "colour": "red"})");
    EXPECT_EQ(LoadError(), "Hub entry acme/bad: hub.json: unknown field \"colour\"");
    WriteText(hub("acme/bad/skill/SKILL.md"), "---\ndescription: nameless\n---\n");
    EXPECT_EQ(LoadError(), "Hub entry acme/bad: SKILL.md: name is missing");
    std::filesystem::remove_all(hub("acme/bad/skill"));
    EXPECT_EQ(LoadError(), "Hub entry acme/bad: skill/ is missing");
    std::filesystem::remove_all(hub("acme/bad"));
    EXPECT_EQ(LoadError(), "ok");
    AddListing("Acme/upper", "upper", "misc", "2026-12-01T00:00:00Z");
    EXPECT_EQ(LoadError(),
              "Hub entry Acme: folder names must be 1-64 lowercase letters, digits, - or _");
    std::filesystem::remove_all(hub("Acme"));
    AddListing("acme/has.dot", "dot", "misc", "2026-12-01T00:00:00Z");
    EXPECT_EQ(
        LoadError(),
        "Hub entry acme/has.dot: folder names must be 1-64 lowercase letters, digits, - or _");
    std::filesystem::remove_all(hub("acme/has.dot"));
    WriteText(hub("acme/env/skill/SKILL.md"), "---\nname: env\n---\n");
    WriteText(hub("acme/env/skill/.env.example"), "KEY=\n");
    WriteText(hub("acme/env/hub.json"), "{" + kMinimal + R"(, "envVars": [{"name": "OTHER"}]})");
    EXPECT_EQ(LoadError(),
              "Hub entry acme/env: hub.json: envVars[0].name \"OTHER\" is not in .env.example");
    EXPECT_EQ(HubCatalog::Load(temp_.file("missing"), blocks_).status().message(),
              "Cannot read hub folder " + temp_.file("missing") + ": not a folder");
}

}  // namespace
}  // namespace pinfold::services
