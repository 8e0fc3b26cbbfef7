// Black-box tests of §5 (skills library, agent skills, ClawHub) over HTTP against the real
// binary, with the starter catalog in hub/ as its ClawHub: skills packed with `tar` here, their
// files read back from the agent's workspace, every route's bad input, other workspaces' ids,
// gateway tokens; and the `pinfold skills` / `pinfold hub` clients.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/api_fixture.h"
#include "content/cid.h"
#include "support/temp_dir.h"

namespace pinfold::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kPlatformSlug = "@pinfold/platform";
const std::string kSnapshotsSlug = "@pinfold/workspace-snapshots";
const std::string kRoutesSlug = "@pinfold/web-app-routes";

std::string Text(const json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

std::string Trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

std::string SkillMd(const std::string& name, const std::string& description) {
    return "---\nname: " + name + "\ndescription: " + description + "\n---\n# " + name + "\n";
}

// The CIDv0 spelling of a dag-pb CIDv1.
std::string CidV0(const std::string& v1) {
    auto cid = content::Cid::Parse(v1);
    if (!cid.ok())
        return "";
    return content::Cid::FromDigest(0, content::kDagPbCodec, cid->digest()).ToString();
}

class SkillsApi : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--hub-dir", SourceDir() + "/hub", "--snapshot-interval", "0"};
        return options;
    }

    // Writes files (path -> bytes) under work/<dir>/ and returns that folder.
    std::string writeFolder(const std::string& dir,
                            const std::map<std::string, std::string>& files) {
        fs::path root = fs::path(work.path()) / dir;
        fs::create_directories(root);
        for (const auto& [path, data] : files) {
            fs::path file = root / path;
            fs::create_directories(file.parent_path());
            std::ofstream(file, std::ios::binary) << data;
        }
        return root.string();
    }
    // A skill folder work/<dir>/ holding SKILL.md for `name` and the extra files.
    std::string skillFolder(const std::string& dir, const std::string& name,
                            std::map<std::string, std::string> files = {},
                            const std::string& description = "A skill for tests") {
        files.emplace("SKILL.md", SkillMd(name, description));
        return writeFolder(dir, files);
    }
    // `tar -cz` of the folder (stored under its own name, as people pack a folder), as base64.
    std::string pack(const std::string& folder, const std::string& tarOptions = "-z") {
        fs::path p(folder);
        int code = -1;
        std::string out =
            RunShell("tar --sort=name " + tarOptions + " -cf - -C '" + p.parent_path().string() +
                         "' '" + p.filename().string() + "' | base64 -w0",
                     &code);
        EXPECT_EQ(code, 0) << folder;
        return out;
    }
    // The output of a shell command run in the work folder, as base64.
    std::string base64Of(const std::string& command) {
        int code = -1;
        std::string out =
            RunShell("cd '" + work.path() + "' && (" + command + ") | base64 -w0", &code);
        EXPECT_EQ(code, 0) << command;
        return out;
    }
    ApiResponse addArchive(const std::string& base64, json::object extra = {},
                           ApiClient* client = nullptr) {
        extra["archiveBase64"] = base64;
        return (client ? client : api.get())->post("/v0/skills", extra);
    }
    // Adds the folder and returns the new library entry (null when that failed).
    json::value addFolder(const std::string& folder, json::object extra = {},
                          ApiClient* client = nullptr) {
        auto r = addArchive(pack(folder), std::move(extra), client);
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status != 200)
            return nullptr;
        return r.json.at("skill");
    }
    std::string cidOf(const std::string& folder) {
        return Trimmed(RunShell(PinfoldBinary() + " cid '" + folder + "'"));
    }
    std::string installHub(const std::string& slug, ApiClient* client = nullptr) {
        auto r =
            (client ? client : api.get())->post("/v0/clawhub/" + slug + "/install", std::string());
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? Text(r.json.at("skill").at("skillId")) : "";
    }
    std::string agentPath(const std::string& agent, const std::string& rest = "") {
        return "/v0/agents/" + agent + "/skills" + rest;
    }
    // Every file and folder under the agent's workspace/skills, sorted, as `find` prints them.
    std::string skillTree(const std::string& agent) {
        auto r = exec(agent, "cd skills 2>/dev/null && find . | LC_ALL=C sort");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? Text(r.json.at("stdout")) : "";
    }
    std::string workspaceFile(const std::string& agent, const std::string& path) {
        auto r = api->get("/v0/agents/" + agent + "/files?path=workspace/" + path);
        return r.status == 200 ? r.body : "<" + std::to_string(r.status) + " " + r.error() + ">";
    }
    json::array names(const ApiResponse& list, const char* field = "name") {
        json::array out;
        for (const auto& s : list.json.at("skills").as_array())
            out.push_back(s.at(field));
        return out;
    }

    TempDir work;
};

// ---- the library ----

TEST_F(SkillsApi, AddsASkillFromATarGzAndListsIt) {
    std::string folder = skillFolder(
        "weather", "weather",
        {{".env.example", "# Key for the weather service\nWEATHER_API_KEY=\n\nREGION=eu\n"},
         {"scripts/forecast.sh", "#!/bin/sh\necho sunny\n"}},
        "Tells the weather");
    auto r = addArchive(pack(folder), {{"envVars", json::array{"EXTRA_VAR", "REGION"}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("success"), true);
    const json::object& skill = r.json.at("skill").as_object();
    std::string id = Text(skill.at("skillId"));
    EXPECT_EQ(id.size(), 36u);
    // The skill's identity is its folder's UnixFS CID (CIDv1, raw leaves), as `ipfs add` makes.
    EXPECT_EQ(Text(skill.at("skillCid")), cidOf(folder));
    EXPECT_EQ(Text(skill.at("skillCid")).substr(0, 4), "bafy");
    EXPECT_EQ(skill.at("name"), "weather");
    EXPECT_EQ(skill.at("description"), "Tells the weather");
    EXPECT_EQ(Text(skill.at("createdAt")).size(), 24u);
    EXPECT_EQ(skill.at("envVars"),
              (json::array{json::object{{"name", "WEATHER_API_KEY"},
                                        {"description", "Key for the weather service"}},
                           json::object{{"name", "REGION"}, {"description", nullptr}},
                           json::object{{"name", "EXTRA_VAR"}, {"description", nullptr}}}));
    EXPECT_EQ(skill.at("fileId"), nullptr);
    EXPECT_EQ(skill.at("version"), "1.0.0");
    EXPECT_EQ(skill.at("slug"), nullptr);
    EXPECT_EQ(skill.at("hubSkillId"), nullptr);

    auto list = api->get("/v0/skills");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json.at("skills"), json::array{skill});
    EXPECT_EQ(list.json.at("currentUserId"), skill.at("userId"));
    EXPECT_EQ(Text(skill.at("userId")).size(), 36u);

    // The same name again is a conflict whose body still carries the skill in the library.
    std::string other = skillFolder("weather-2", "weather", {{"more.txt", "more\n"}});
    auto again = addArchive(pack(other));
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.error(), "Skill weather is already in the library");
    EXPECT_EQ(again.json.at("skill"), skill);

    // An uncompressed tar, a folder packed without a top folder, a description and a version.
    std::string flat = skillFolder("flat", "flat-skill");
    auto plain =
        addArchive(base64Of("tar -cf - -C flat ."),
                   {{"description", "  Given here  "}, {"version", "0.3.0-beta.1"}, {"name", "x"}});
    ASSERT_EQ(plain.status, 200) << plain.body;
    EXPECT_EQ(plain.json.at("skill").at("name"), "flat-skill");
    EXPECT_EQ(plain.json.at("skill").at("description"), "Given here");
    EXPECT_EQ(plain.json.at("skill").at("version"), "0.3.0-beta.1");
    EXPECT_EQ(Text(plain.json.at("skill").at("skillCid")), cidOf(flat));
    EXPECT_EQ(names(api->get("/v0/skills")), (json::array{"flat-skill", "weather"}));
}

TEST_F(SkillsApi, AddsBySkillCidOrSlugOnlyWhatALibraryOrTheHubHolds) {
    // A hub listing's CID: the folder, without the listing (no slug).
    std::string hubCid = cidOf(SourceDir() + "/hub/pinfold/platform/skill");
    auto byCid = api->post("/v0/skills", json::object{{"skillCid", hubCid}});
    ASSERT_EQ(byCid.status, 200) << byCid.body;
    EXPECT_EQ(byCid.json.at("skill").at("name"), "pinfold-platform");
    EXPECT_EQ(Text(byCid.json.at("skill").at("skillCid")), hubCid);
    EXPECT_EQ(byCid.json.at("skill").at("slug"), nullptr);
    EXPECT_EQ(byCid.json.at("skill").at("version"), "1.0.0");
    EXPECT_EQ(byCid.json.at("skill").at("envVars").as_array().size(), 3u);

    // A slug: the listing, with its slug, hub id and version.
    auto bySlug =
        api->post("/v0/skills", json::object{{"skillCid", "pinfold/workspace-snapshots"}});
    ASSERT_EQ(bySlug.status, 200) << bySlug.body;
    const json::value& skill = bySlug.json.at("skill");
    EXPECT_EQ(skill.at("name"), "pinfold-workspace-snapshots");
    EXPECT_EQ(Text(skill.at("slug")), kSnapshotsSlug);
    EXPECT_EQ(Text(skill.at("hubSkillId")).size(), 36u);
    EXPECT_EQ(Text(skill.at("skillCid")),
              cidOf(SourceDir() + "/hub/pinfold/workspace-snapshots/skill"));

    // A CIDv0 spelling of a CID some library holds is the same folder.
    std::string folder = skillFolder("notes", "notes");
    std::string notesCid = Text(addFolder(folder).at("skillCid"));
    ApiClient other(server->port(), server->createKey("other"));
    auto v0 = other.post("/v0/skills", json::object{{"skillCid", CidV0(notesCid)}});
    ASSERT_EQ(v0.status, 200) << v0.body;
    EXPECT_EQ(Text(v0.json.at("skill").at("skillCid")), notesCid);
    EXPECT_EQ(v0.json.at("skill").at("name"), "notes");

    // Content nobody published, and things that are no CID.
    std::string unknown = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";
    auto missing = api->post("/v0/skills", json::object{{"skillCid", unknown}});
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.error(), "Skill CID not found: " + unknown);
    auto noSlug = api->post("/v0/skills", json::object{{"skillCid", "@pinfold/nothing"}});
    EXPECT_EQ(noSlug.status, 404);
    EXPECT_EQ(noSlug.error(), "Skill not found: @pinfold/nothing");
    for (std::string bad : {"", "hello", "Qm123", "bafy!"}) {
        auto r = api->post("/v0/skills", json::object{{"skillCid", bad}});
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_EQ(r.error(),
                  "Validation failed: skillCid must be a CID or a hub slug (@owner/name)")
            << bad;
    }
}

TEST_F(SkillsApi, BadBodiesAreRefusedWithTheFieldAndNothingIsAdded) {
    std::string good = pack(skillFolder("good", "good"));
    struct Case {
        std::string body;
        std::string error;
    };
    std::vector<Case> cases = {
        {R"({})", "Validation failed: skillCid or archiveBase64 is required"},
        {R"({"name":"x"})", "Validation failed: skillCid or archiveBase64 is required"},
        {R"({"skillCid":"bafy","archiveBase64":"AAAA"})",
         "Validation failed: give either archiveBase64 or skillCid, not both"},
        {R"({"skillCid":5})", "Validation failed: skillCid must be a string"},
        {R"({"archiveBase64":["AAAA"]})", "Validation failed: archiveBase64 must be a string"},
        {R"({"archiveBase64":""})", "Validation failed: archiveBase64 is empty"},
        {R"({"archiveBase64":"not base64!"})", "Validation failed: archiveBase64 must be base64"},
        {R"({"archiveBase64":"QUJD="})", "Validation failed: archiveBase64 must be base64"},
        {R"({"archiveBase64":"data:application/gzip;base64,AAAA"})",
         "Validation failed: archiveBase64 must be base64"},
        {"{\"archiveBase64\":\"" + good + "\",\"name\":7}",
         "Validation failed: name must be a string"},
        {"{\"archiveBase64\":\"" + good + "\",\"fileId\":[]}",
         "Validation failed: fileId must be a string"},
        {"{\"archiveBase64\":\"" + good + "\",\"description\":{}}",
         "Validation failed: description must be a string"},
        {"{\"archiveBase64\":\"" + good + "\",\"description\":\"" + std::string(1025, 'd') + "\"}",
         "Validation failed: description must be UTF-8 of at most 1024 characters"},
        {"{\"archiveBase64\":\"" + good + "\",\"envVars\":\"A\"}",
         "Validation failed: envVars must be an array of names or {name} objects"},
        {"{\"archiveBase64\":\"" + good + "\",\"envVars\":[{\"description\":\"d\"}]}",
         "Validation failed: envVars must be an array of names or {name} objects"},
        {"{\"archiveBase64\":\"" + good + "\",\"envVars\":[\"OK\",\"1BAD\"]}",
         "Validation failed: envVars[1] must be an environment variable name"},
        {"{\"archiveBase64\":\"" + good + "\",\"version\":\"v1.0.0\"}",
         "Validation failed: version must be a semantic version like 1.2.3 (at most 64 "
         "characters)"},
        {"{\"archiveBase64\":\"" + good + "\",\"version\":\"1.0\"}",
         "Validation failed: version must be a semantic version like 1.2.3 (at most 64 "
         "characters)"},
        {"{\"archiveBase64\":\"" + good + "\",\"version\":\"01.0.0\"}",
         "Validation failed: version must be a semantic version like 1.2.3 (at most 64 "
         "characters)"},
        {"{\"archiveBase64\":\"" + good + "\",\"version\":1}",
         "Validation failed: version must be a string"},
        {"[1]", "Invalid JSON body"},
        {"{\"archiveBase64\":", "Invalid JSON body"},
    };
    for (const auto& c : cases) {
        auto r = api->post("/v0/skills", c.body);
        EXPECT_EQ(r.status, 400) << c.body.substr(0, 100) << " -> " << r.body;
        EXPECT_EQ(r.error(), c.error) << c.body.substr(0, 100);
    }
    EXPECT_EQ(anonymous->post("/v0/skills", json::object{{"archiveBase64", good}}).status, 401);
    EXPECT_EQ(api->put("/v0/skills", json::object{}).status, 405);
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array());
}

TEST_F(SkillsApi, HostileOrBrokenArchivesAreRefusedNamingTheEntry) {
    skillFolder("w", "w");
    writeFolder(".", {{"outside.txt", "x\n"}});
    RunShell("cd '" + work.path() + "' && ln -s /etc/passwd w/link && mkdir nomd && " +
             "echo hi > nomd/readme.txt && mkdir hard && cp w/SKILL.md hard/SKILL.md && " +
             "ln hard/SKILL.md hard/copy.md && mkdir -p fifo && cp w/SKILL.md fifo/ && " +
             "mkfifo fifo/pipe");
    skillFolder("badname", "bad name!");
    writeFolder("nofront", {{"SKILL.md", "# No front matter\n"}});
    skillFolder("badenv", "badenv", {{".env.example", "# fine\nGOOD=1\nexport a-b=2\n"}});
    skillFolder("deep", "deep", {{"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/leaf.txt", "x"}});
    skillFolder("many", "many");
    RunShell("cd '" + work.path() + "/many' && for i in $(seq 1999); do : > f$i; done");
    skillFolder("big", "big");
    skillFolder("bomb", "bomb");
    RunShell("cd '" + work.path() + "' && head -c 17825792 /dev/zero > big/zeros.bin && " +
             "for i in 1 2 3; do head -c 12582912 /dev/zero > bomb/part$i.bin; done");
    struct Case {
        std::string archive;
        int status;
        std::string error;
    };
    std::vector<Case> cases = {
        {base64Of("cd w && tar -czPf - SKILL.md ../outside.txt"), 400,
         "Archive entry \"../outside.txt\" has a \"..\" part"},
        {base64Of("tar -czPf - " + work.file("outside.txt")), 400,
         "Archive entry \"" + work.file("outside.txt") + "\" has an absolute name"},
        {base64Of("tar --sort=name -czf - w"), 400,
         "Archive entry \"w/link\" is a symlink; only files and folders are allowed"},
        {base64Of("tar -czf - hard/SKILL.md hard/copy.md"), 400,
         "Archive entry \"hard/copy.md\" is a hardlink; only files and folders are allowed"},
        {base64Of("tar --sort=name -czf - fifo"), 400,
         "Archive entry \"fifo/pipe\" is a FIFO; only files and folders are allowed"},
        {base64Of("tar -czf - nomd"), 400, "SKILL.md is missing"},
        {base64Of("tar -czf - nofront"), 400,
         "SKILL.md: front matter is missing (the file must start with a --- line)"},
        {base64Of("tar -czf - badname"), 400,
         "SKILL.md: name must use letters, digits, hyphens and underscores"},
        {base64Of("tar -czf - badenv"), 400,
         ".env.example: line 3: \"a-b\" is not a valid environment variable name"},
        {base64Of("tar --sort=name -czf - deep"), 400,
         "Archive entry \"deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/\" is nested deeper than 16 "
         "folders"},
        {base64Of("tar -czf - many"), 413, "Skill archive has more than 2000 entries"},
        {base64Of("printf 'hello, not an archive'"), 400,
         "Invalid skill archive: Unrecognized archive format"},
        {base64Of("tar -czf - w/SKILL.md | head -c 60"), 400,
         ""},  // truncated: libarchive says why
        {base64Of("tar --sort=name -czf - big"), 413,
         "Archive entry \"big/zeros.bin\" is larger than 16777216 bytes"},
        {base64Of("tar --sort=name -czf - bomb"), 413,
         "Skill archive unpacks to more than 33554432 bytes"},
    };
    for (const auto& c : cases) {
        auto r = addArchive(c.archive);
        EXPECT_EQ(r.status, c.status) << c.error << " -> " << r.body;
        if (!c.error.empty())
            EXPECT_EQ(r.error(), c.error);
        else
            EXPECT_EQ(r.error().substr(0, 23), "Invalid skill archive: ") << r.body;
    }
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array());
    // Nothing was unpacked next to the data folder, nor left behind in it.
    EXPECT_EQ(RunShell("ls -A '" + server->dataDir() + "/tmp' 2>/dev/null"), "");
}

TEST_F(SkillsApi, OversizeArchivesAndBodiesAre413) {
    // Under the body limit but decoding to more than an archive may hold.
    std::string base64(55924060, 'A');
    auto archive = addArchive(base64);
    EXPECT_EQ(archive.status, 413);
    EXPECT_EQ(archive.error(), "Skill archive is larger than 41943040 bytes");
    // Over the route's body limit: refused before the body is read. (curl, as it stops sending
    // when the answer comes early; the test client would write on into a closed socket.)
    RunShell(
        "{ printf '{\"archiveBase64\":\"'; head -c 63963136 /dev/zero | tr '\\0' A; "
        "printf '\"}'; } > '" +
        work.file("huge.json") + "'");
    int code = -1;
    std::string answer =
        RunShell("curl -s -w '\\n%{http_code}' -H 'Authorization: Bearer " + jwt +
                     "' -H 'Content-Type: application/json' --data-binary @'" +
                     work.file("huge.json") + "' " + server->baseUrl() + "/v0/skills",
                 &code);
    EXPECT_EQ(code, 0) << answer;
    EXPECT_EQ(answer, "{\"error\":\"Request body too large\"}\n413");
    std::string tooBig = skillFolder("tall", "tall", {}, "d");
    RunShell("head -c 1048577 /dev/zero | tr '\\0' a >> '" + tooBig + "/SKILL.md'");
    auto md = addArchive(pack(tooBig));
    EXPECT_EQ(md.status, 413);
    EXPECT_EQ(md.error(), "SKILL.md is larger than 1048576 bytes");
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array());
}

TEST_F(SkillsApi, VersionsAreSemverNewestFirstAndOnlyNewerOnesArePublished) {
    std::string v19 = skillFolder("v19", "weather", {{"a.txt", "1.9\n"}});
    json::value skill = addFolder(v19, {{"version", "1.9.0"}});
    ASSERT_TRUE(skill.is_object());
    std::string id = Text(skill.at("skillId"));
    std::string cid19 = Text(skill.at("skillCid"));
    auto publish = [&](const std::string& version, const std::string& content,
                       const std::string& ref = "") {
        std::string folder =
            skillFolder("v" + version + content.substr(0, 1), "weather", {{"a.txt", content}});
        return api->post("/v0/skills/" + (ref.empty() ? id : ref) + "/versions",
                         json::object{{"version", version}, {"archiveBase64", pack(folder)}});
    };

    auto v110 = publish("1.10.0", "1.10\n", cid19);  // named by an older version's CID
    ASSERT_EQ(v110.status, 200) << v110.body;
    EXPECT_EQ(v110.json.at("success"), true);
    EXPECT_EQ(v110.json.at("version").at("version"), "1.10.0");
    std::string cid110 = Text(v110.json.at("version").at("skillCid"));
    EXPECT_EQ(Text(v110.json.at("skill").at("skillCid")), cid110);
    EXPECT_EQ(v110.json.at("skill").at("version"), "1.10.0");
    EXPECT_EQ(Text(v110.json.at("skill").at("skillId")), id);

    // Semantic, not text, order: 1.2.0 < 1.10.0, and a pre-release is older than its release.
    auto older = publish("1.2.0", "1.2\n");
    EXPECT_EQ(older.status, 409);
    EXPECT_EQ(older.error(), "Version 1.2.0 is not newer than 1.10.0");
    auto pre = publish("1.10.0-rc.1", "rc\n");
    EXPECT_EQ(pre.status, 409);
    EXPECT_EQ(pre.error(), "Version 1.10.0-rc.1 is not newer than 1.10.0");
    auto same = publish("1.10.0", "other\n");
    EXPECT_EQ(same.status, 409);
    EXPECT_EQ(same.error(), "Version 1.10.0 is not newer than 1.10.0");
    auto sameContent = publish("3.0.0", "1.9\n");
    EXPECT_EQ(sameContent.status, 409);
    EXPECT_EQ(sameContent.error(), "Skill weather already has this content as version 1.9.0");
    ASSERT_EQ(publish("2.0.0-rc.1", "2rc\n").status, 200);
    ASSERT_EQ(publish("2.0.0", "2\n").status, 200);

    auto versions = api->get("/v0/skills/" + id + "/versions");
    ASSERT_EQ(versions.status, 200) << versions.body;
    EXPECT_EQ(Text(versions.json.at("skillId")), id);
    EXPECT_EQ(versions.json.at("name"), "weather");
    json::array order;
    for (const auto& v : versions.json.at("versions").as_array())
        order.push_back(v.at("version"));
    EXPECT_EQ(order, (json::array{"2.0.0", "2.0.0-rc.1", "1.10.0", "1.9.0"}));
    EXPECT_EQ(Text(versions.json.at("versions").at(2).at("skillCid")), cid110);
    EXPECT_EQ(Text(versions.json.at("versions").at(3).at("skillCid")), cid19);
    EXPECT_EQ(Text(versions.json.at("versions").at(3).at("createdAt")).size(), 24u);
    // Any version's CID names the skill, in either CID version.
    EXPECT_EQ(api->get("/v0/skills/" + cid110 + "/versions").body, versions.body);
    EXPECT_EQ(api->get("/v0/skills/" + CidV0(cid19) + "/versions").body, versions.body);
    EXPECT_EQ(api->get("/v0/skills").json.at("skills").at(0).at("version"), "2.0.0");

    // Bad publishes.
    std::string path = "/v0/skills/" + id + "/versions";
    std::string archive = pack(skillFolder("v4", "weather", {{"a.txt", "4\n"}}));
    auto noVersion = api->post(path, json::object{{"archiveBase64", archive}});
    EXPECT_EQ(noVersion.status, 400);
    EXPECT_EQ(noVersion.error(), "Validation failed: version is required");
    auto badVersion = api->post(path, json::object{{"version", "4"}, {"archiveBase64", archive}});
    EXPECT_EQ(badVersion.error(),
              "Validation failed: version must be a semantic version like 1.2.3 (at most 64 "
              "characters)");
    EXPECT_EQ(api->post(path, json::object{{"version", "4.0.0"}}).error(),
              "Validation failed: skillCid or archiveBase64 is required");
    EXPECT_EQ(api->post(path, json::object{{"version", 4}, {"archiveBase64", archive}}).error(),
              "Validation failed: version must be a string");
    EXPECT_EQ(
        api->post(path, json::object{{"version", "4.0.0"}, {"skillCid", json::array()}}).error(),
        "Validation failed: skillCid must be a string");
    EXPECT_EQ(api->post(path, std::string("\"4.0.0\"")).error(), "Invalid JSON body");
    auto renamed = api->post(
        path,
        json::object{{"version", "4.0.0"}, {"archiveBase64", pack(skillFolder("rn", "rain"))}});
    EXPECT_EQ(renamed.status, 400);
    EXPECT_EQ(renamed.error(), "Validation failed: SKILL.md names the skill rain, not weather");
    std::string unknown = "00000000-0000-4000-8000-000000000000";
    for (const std::string& ref :
         {unknown, std::string("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
          std::string("@someone/weather"), std::string("weather")}) {
        auto r = api->get("/v0/skills/" + ref + "/versions");
        EXPECT_EQ(r.status, 404) << ref;
        EXPECT_EQ(r.error(), "Skill not found") << ref;
        auto p = api->post("/v0/skills/" + ref + "/versions",
                           json::object{{"version", "4.0.0"}, {"archiveBase64", archive}});
        EXPECT_EQ(p.status, 404) << ref;
        EXPECT_EQ(p.error(), "Skill not found") << ref;
    }
    EXPECT_EQ(api->get("/v0/skills/..%2F..%2Fetc/versions").error(), "Invalid path");
    EXPECT_EQ(anonymous->get(path).status, 401);
    EXPECT_EQ(api->get("/v0/skills/" + id + "/versions").json.at("versions").as_array().size(), 4u);
}

TEST_F(SkillsApi, DeleteTakesAnyVersionsCidOrTheIdOrTheSlug) {
    json::value skill = addFolder(skillFolder("one", "weather", {{"a", "1"}}));
    std::string id = Text(skill.at("skillId"));
    std::string firstCid = Text(skill.at("skillCid"));
    auto published = api->post(
        "/v0/skills/" + id + "/versions",
        json::object{{"version", "1.1.0"},
                     {"archiveBase64", pack(skillFolder("two", "weather", {{"a", "2"}}))}});
    ASSERT_EQ(published.status, 200) << published.body;

    auto removed = api->del("/v0/skills/" + firstCid);
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(removed.json, (json::object{{"success", true},
                                          {"message", "Skill weather removed from the library"},
                                          {"wasInLibrary", true}}));
    auto again = api->del("/v0/skills/" + firstCid);
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(again.error(), "Skill not found");
    EXPECT_EQ(api->get("/v0/skills/" + id + "/versions").status, 404);
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array());

    // By id, and by slug raw or encoded (the '@' optional).
    std::string again2 = Text(addFolder(skillFolder("three", "weather")).at("skillId"));
    EXPECT_EQ(api->del("/v0/skills/" + again2).status, 200);
    installHub(kPlatformSlug);
    EXPECT_EQ(api->del("/v0/skills/%40pinfold%2Fplatform").status, 200);
    installHub(kPlatformSlug);
    EXPECT_EQ(api->del("/v0/skills/pinfold/platform").status, 200);
    installHub(kPlatformSlug);
    EXPECT_EQ(api->del("/v0/skills/" + kPlatformSlug).status, 200);
    EXPECT_EQ(api->del("/v0/skills/" + kPlatformSlug).error(), "Skill not found");
    EXPECT_EQ(api->del("/v0/skills/not-a-cid").error(), "Skill not found");
    EXPECT_EQ(anonymous->del("/v0/skills/" + id).status, 401);
}

// ---- skills on agents ----

TEST_F(SkillsApi, AttachWritesTheFilesIntoTheWorkspaceAndDetachRemovesThem) {
    std::string agent = createRunningAgent();
    std::string folder = skillFolder(
        "weather", "weather",
        {{".env.example", "WEATHER_API_KEY=\n"}, {"scripts/forecast.sh", "echo sunny\n"}});
    json::value skill = addFolder(folder);
    std::string id = Text(skill.at("skillId"));
    std::string cid = Text(skill.at("skillCid"));
    std::string platformId = installHub(kPlatformSlug);
    std::string notesId = Text(addFolder(skillFolder("notes", "notes")).at("skillId"));

    // A CID (here its v0 spelling), a slug and a skillId, one named twice.
    auto attached = api->post(
        agentPath(agent),
        json::object{{"skillCids", json::array{CidV0(cid), kPlatformSlug, notesId, notesId}}});
    ASSERT_EQ(attached.status, 200) << attached.body;
    EXPECT_EQ(attached.json,
              (json::object{{"success", true},
                            {"attached", 3},
                            {"message", "Restart the agent for its engine to load the skills"}}));

    EXPECT_EQ(skillTree(agent),
              ".\n./notes\n./notes/SKILL.md\n./pinfold-platform\n./pinfold-platform/.env.example\n"
              "./pinfold-platform/SKILL.md\n./weather\n./weather/.env.example\n./weather/SKILL.md\n"
              "./weather/scripts\n./weather/scripts/forecast.sh\n");
    EXPECT_EQ(workspaceFile(agent, "skills/weather/SKILL.md"),
              SkillMd("weather", "A skill for tests"));
    EXPECT_EQ(workspaceFile(agent, "skills/weather/scripts/forecast.sh"), "echo sunny\n");
    std::ifstream hubMd(SourceDir() + "/hub/pinfold/platform/skill/SKILL.md", std::ios::binary);
    EXPECT_EQ(workspaceFile(agent, "skills/pinfold-platform/SKILL.md"),
              std::string(std::istreambuf_iterator<char>(hubMd), {}));
    // The agent owns its copies: it may change and remove them.
    auto owner = exec(agent, "stat -c '%u %a' skills/weather/SKILL.md skills/weather/scripts");
    EXPECT_EQ(owner.json.at("stdout"), "1000 644\n1000 755\n") << owner.body;

    auto list = api->get(agentPath(agent));
    ASSERT_EQ(list.status, 200) << list.body;
    const json::array& skills = list.json.at("skills").as_array();
    ASSERT_EQ(skills.size(), 3u);
    EXPECT_EQ(names(list), (json::array{"notes", "pinfold-platform", "weather"}));
    const json::object& weather = skills[2].as_object();
    EXPECT_EQ(Text(weather.at("agentId")), agent);
    EXPECT_EQ(Text(weather.at("skillId")), id);
    EXPECT_EQ(Text(weather.at("skillCid")), cid);
    EXPECT_EQ(weather.at("description"), "A skill for tests");
    EXPECT_EQ(weather.at("version"), "1.0.0");
    EXPECT_EQ(weather.at("slug"), nullptr);
    EXPECT_EQ(Text(weather.at("attachedAt")).size(), 24u);
    EXPECT_EQ(Text(skills[1].at("slug")), kPlatformSlug);
    EXPECT_EQ(Text(skills[1].at("skillId")), platformId);
    EXPECT_EQ(api->get("/v0/agents/" + agent).json.at("skills"), list.json.at("skills"));

    // An attached skill stays in the library.
    auto refused = api->del("/v0/skills/" + id);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.error(),
              "Skill weather is still attached to agents: " + agent + "; detach it first");

    // Detach by CID, by slug (encoded) and by id: the folder goes, the library entry stays.
    auto detached = api->del(agentPath(agent, "/" + cid));
    ASSERT_EQ(detached.status, 200) << detached.body;
    EXPECT_EQ(
        detached.json,
        (json::object{
            {"success", true},
            {"message", "Skill weather detached; restart the agent for its engine to drop it"}}));
    EXPECT_EQ(workspaceFile(agent, "skills/weather/SKILL.md"), "<404 File not found>");
    EXPECT_EQ(skillTree(agent),
              ".\n./notes\n./notes/SKILL.md\n./pinfold-platform\n"
              "./pinfold-platform/.env.example\n./pinfold-platform/SKILL.md\n");
    EXPECT_EQ(api->del(agentPath(agent, "/%40pinfold%2Fplatform")).status, 200);
    EXPECT_EQ(api->del(agentPath(agent, "/" + notesId)).status, 200);
    EXPECT_EQ(skillTree(agent), ".\n");
    EXPECT_EQ(api->get(agentPath(agent)).json.at("skills"), json::array());
    EXPECT_EQ(api->get("/v0/skills").json.at("skills").as_array().size(), 3u);
    auto notAttached = api->del(agentPath(agent, "/" + id));
    EXPECT_EQ(notAttached.status, 404);
    EXPECT_EQ(notAttached.error(), "Skill is not attached to this agent");
    EXPECT_EQ(api->del(agentPath(agent, "/bafynope")).error(), "Skill not found");
    EXPECT_EQ(api->del("/v0/skills/" + id).status, 200);

    // Files the agent put in a skill's folder go with it on detach; the rest of skills/ stays.
    ASSERT_EQ(api->post(agentPath(agent), json::object{{"skillCids", json::array{notesId}}}).status,
              200);
    ASSERT_EQ(exec(agent, "echo mine > skills/notes/mine.txt && echo keep > skills/keep.txt")
                  .json.at("exitCode"),
              0);
    ASSERT_EQ(api->del(agentPath(agent, "/" + notesId)).status, 200);
    EXPECT_EQ(skillTree(agent), ".\n./keep.txt\n");

    // The agent's own files in the way: a conflict naming the folder (not a 404 or 403, which
    // would read as a missing skill or a key without rights), and nothing written elsewhere.
    auto attachNotes = [&] {
        return api->post(agentPath(agent), json::object{{"skillCids", json::array{notesId}}});
    };
    for (const std::string& blocker : {"ln -s /tmp skills", "echo x > skills"}) {
        ASSERT_EQ(exec(agent, "rm -rf skills && " + blocker).json.at("exitCode"), 0);
        auto blocked = attachNotes();
        EXPECT_EQ(blocked.status, 409) << blocker;
        EXPECT_EQ(blocked.error(), "Cannot write workspace/skills/notes/: Directory not found");
        EXPECT_EQ(api->get(agentPath(agent)).json.at("skills"), json::array());
    }
    EXPECT_EQ(exec(agent, "ls -A /tmp").json.at("stdout"), "");
    EXPECT_FALSE(fs::exists("/tmp/notes/SKILL.md"));
    ASSERT_EQ(
        exec(agent, "rm skills && mkdir -p skills/notes/locked && chmod 000 skills/notes/locked")
            .json.at("exitCode"),
        0);
    auto locked = attachNotes();
    EXPECT_EQ(locked.status, 409);
    EXPECT_EQ(locked.error(), "Cannot write workspace/skills/notes/: Permission denied");
    ASSERT_EQ(exec(agent, "chmod 755 skills/notes/locked").json.at("exitCode"), 0);
    ASSERT_EQ(attachNotes().status, 200);
    ASSERT_EQ(exec(agent, "mkdir skills/notes/locked && chmod 000 skills/notes/locked")
                  .json.at("exitCode"),
              0);
    auto stuck = api->del(agentPath(agent, "/" + notesId));
    EXPECT_EQ(stuck.status, 409);
    EXPECT_EQ(stuck.error(), "Cannot remove workspace/skills/notes/: Permission denied");
    EXPECT_EQ(api->get(agentPath(agent)).json.at("skills").as_array().size(), 1u);
    ASSERT_EQ(exec(agent, "chmod 755 skills/notes/locked").json.at("exitCode"), 0);
    EXPECT_EQ(api->del(agentPath(agent, "/" + notesId)).status, 200);
    EXPECT_EQ(skillTree(agent), ".\n");
}

TEST_F(SkillsApi, UpdatesMoveAnAttachedSkillToANewerOrOlderVersion) {
    std::string agent = createRunningAgent();
    json::value skill = addFolder(
        skillFolder("v1", "weather", {{"old.txt", "only in 1.0.0\n"}, {"a.txt", "one\n"}}));
    std::string id = Text(skill.at("skillId"));
    std::string cid1 = Text(skill.at("skillCid"));
    ASSERT_EQ(api->post(agentPath(agent), json::object{{"skillCids", json::array{id}}}).status,
              200);
    EXPECT_EQ(api->get(agentPath(agent, "/updates")).json,
              (json::object{{"updates", json::array()}}));

    auto published = api->post(
        "/v0/skills/" + id + "/versions",
        json::object{
            {"version", "2.0.0"},
            {"archiveBase64",
             pack(skillFolder("v2", "weather", {{"a.txt", "two\n"}, {"new/b.txt", "b\n"}}))}});
    ASSERT_EQ(published.status, 200) << published.body;
    std::string cid2 = Text(published.json.at("version").at("skillCid"));
    // Publishing does not touch the agent's files.
    EXPECT_EQ(workspaceFile(agent, "skills/weather/a.txt"), "one\n");

    auto updates = api->get(agentPath(agent, "/updates"));
    ASSERT_EQ(updates.status, 200) << updates.body;
    EXPECT_EQ(updates.json,
              (json::object{{"updates", json::array{json::object{{"skillId", id},
                                                                 {"name", "weather"},
                                                                 {"currentVersion", "1.0.0"},
                                                                 {"currentCid", cid1},
                                                                 {"latestVersion", "2.0.0"},
                                                                 {"latestCid", cid2}}}}}));

    auto updated = api->post(agentPath(agent, "/" + id + "/update"), std::string());
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(updated.json.at("success"), true);
    EXPECT_EQ(updated.json.at("previousVersion"), "1.0.0");
    EXPECT_EQ(updated.json.at("version"), "2.0.0");
    EXPECT_EQ(Text(updated.json.at("skill").at("skillCid")), cid2);
    EXPECT_EQ(updated.json.at("skill").at("version"), "2.0.0");
    EXPECT_EQ(skillTree(agent),
              ".\n./weather\n./weather/SKILL.md\n./weather/a.txt\n./weather/new\n"
              "./weather/new/b.txt\n");
    EXPECT_EQ(workspaceFile(agent, "skills/weather/a.txt"), "two\n");
    EXPECT_EQ(api->get(agentPath(agent, "/updates")).json.at("updates"), json::array());
    EXPECT_EQ(api->get(agentPath(agent)).json.at("skills").at(0).at("version"), "2.0.0");

    // Already there: 409. Rolling back by version, then an unknown version.
    auto conflict = api->post(agentPath(agent, "/" + id + "/update"), json::object{});
    EXPECT_EQ(conflict.status, 409);
    EXPECT_EQ(conflict.error(), "Skill weather is already at version 2.0.0");
    auto back =
        api->post(agentPath(agent, "/" + cid2 + "/update"), json::object{{"version", "1.0.0"}});
    ASSERT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(back.json.at("previousVersion"), "2.0.0");
    EXPECT_EQ(workspaceFile(agent, "skills/weather/old.txt"), "only in 1.0.0\n");
    EXPECT_EQ(workspaceFile(agent, "skills/weather/new/b.txt"), "<404 File not found>");
    EXPECT_EQ(api->get(agentPath(agent, "/updates")).json.at("updates").as_array().size(), 1u);
    auto noSuch =
        api->post(agentPath(agent, "/" + id + "/update"), json::object{{"version", "3.0.0"}});
    EXPECT_EQ(noSuch.status, 404);
    EXPECT_EQ(noSuch.error(), "Skill weather has no version 3.0.0");
    auto wrongType =
        api->post(agentPath(agent, "/" + id + "/update"), json::object{{"version", 2}});
    EXPECT_EQ(wrongType.status, 400);
    EXPECT_EQ(wrongType.error(), "Validation failed: version must be a string");
    EXPECT_EQ(api->post(agentPath(agent, "/" + id + "/update"), std::string("[]")).error(),
              "Invalid JSON body");

    // Attaching another version's CID moves the skill too.
    auto moved = api->post(agentPath(agent), json::object{{"skillCids", json::array{cid2}}});
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(workspaceFile(agent, "skills/weather/a.txt"), "two\n");
    EXPECT_EQ(workspaceFile(agent, "skills/weather/old.txt"), "<404 File not found>");

    std::string other = Text(addFolder(skillFolder("o", "other")).at("skillId"));
    auto unattached = api->post(agentPath(agent, "/" + other + "/update"), json::object{});
    EXPECT_EQ(unattached.status, 404);
    EXPECT_EQ(unattached.error(), "Skill is not attached to this agent");
    EXPECT_EQ(api->post(agentPath(agent, "/nope/update"), json::object{}).error(),
              "Skill not found");
    EXPECT_EQ(api->post(agentPath("xaaaaaaa", "/" + id + "/update"), json::object{}).error(),
              "Agent not found");
    EXPECT_EQ(api->get(agentPath("xaaaaaaa", "/updates")).error(), "Agent not found");
}

TEST_F(SkillsApi, AttachChecksItsInputAndTheLimitOfTen) {
    std::string agent = createRunningAgent();
    std::vector<std::string> ids;
    for (int i = 1; i <= 11; ++i) {
        std::string name = "skill-" + std::to_string(i);
        ids.push_back(Text(addFolder(skillFolder(name, name)).at("skillId")));
    }
    std::string path = agentPath(agent);
    struct Case {
        std::string body;
        int status;
        std::string error;
    };
    std::vector<Case> cases = {
        {"{}", 400, "Validation failed: skillCids is required"},
        {"null", 400, "Validation failed: skillCids is required"},
        {R"({"skillCids":"abc"})", 400, "Validation failed: skillCids must be an array of strings"},
        {R"({"skillCids":[1]})", 400, "Validation failed: skillCids must be an array of strings"},
        {R"({"skillCids":[]})", 400, "Validation failed: skillCids must not be empty"},
        {R"({"skillCids":["nope"]})", 404, "Skill not found: nope"},
        {"{\"skillCids\":[\"" + ids[0] + "\",\"@pinfold/platform\"]}", 404,
         "Skill not found: @pinfold/platform"},  // in the hub, not in this library
        {"[1]", 400, "Invalid JSON body"},
    };
    for (const auto& c : cases) {
        auto r = api->post(path, c.body);
        EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
        EXPECT_EQ(r.error(), c.error) << c.body;
    }
    json::array hundredAndOne;
    for (int i = 0; i < 101; ++i)
        hundredAndOne.push_back(json::string(ids[0]));
    EXPECT_EQ(api->post(path, json::object{{"skillCids", hundredAndOne}}).error(),
              "Validation failed: skillCids must have at most 100 entries");
    auto huge = api->post(path, "{\"skillCids\":[\"" + std::string(70 << 10, 'a') + "\"]}");
    EXPECT_EQ(huge.status, 413);
    EXPECT_EQ(huge.error(), "Request body too large");

    // Ten fit; an eleventh, alone or together with the ten, does not, and nothing is written.
    json::array ten, eleven;
    for (size_t i = 0; i < ids.size(); ++i) {
        (i < 10 ? ten : eleven).push_back(json::string(ids[i]));
    }
    json::array all = ten;
    all.push_back(eleven[0]);
    auto tooMany = api->post(path, json::object{{"skillCids", all}});
    EXPECT_EQ(tooMany.status, 400);
    EXPECT_EQ(tooMany.error(), "Validation failed: skills exceeds maximum of 10");
    EXPECT_EQ(skillTree(agent), "");
    auto fits = api->post(path, json::object{{"skillCids", ten}});
    ASSERT_EQ(fits.status, 200) << fits.body;
    EXPECT_EQ(fits.json.at("attached"), 10);
    auto eleventh = api->post(path, json::object{{"skillCids", eleven}});
    EXPECT_EQ(eleventh.status, 400);
    EXPECT_EQ(eleventh.error(), "Validation failed: skills exceeds maximum of 10");
    EXPECT_EQ(workspaceFile(agent, "skills/skill-11/SKILL.md"), "<404 File not found>");
    // Naming attached ones again is no new skill.
    EXPECT_EQ(api->post(path, json::object{{"skillCids", ten}}).status, 200);
    EXPECT_EQ(api->get(path).json.at("skills").as_array().size(), 10u);

    // Two versions of one skill in one request.
    std::string cid1 = Text(
        api->get("/v0/skills/" + ids[0] + "/versions").json.at("versions").at(0).at("skillCid"));
    auto v2 = api->post(
        "/v0/skills/" + ids[0] + "/versions",
        json::object{{"version", "2.0.0"},
                     {"archiveBase64", pack(skillFolder("s1v2", "skill-1", {{"x", "2"}}))}});
    ASSERT_EQ(v2.status, 200) << v2.body;
    std::string cid2 = Text(v2.json.at("version").at("skillCid"));
    auto twoVersions = api->post(path, json::object{{"skillCids", json::array{cid1, cid2}}});
    EXPECT_EQ(twoVersions.status, 400);
    EXPECT_EQ(twoVersions.error(), "Validation failed: skillCids names two versions of skill-1");

    EXPECT_EQ(
        api->post(agentPath("xaaaaaaa"), json::object{{"skillCids", json::array{ids[0]}}}).error(),
        "Agent not found");
    EXPECT_EQ(api->get(agentPath("xaaaaaaa")).error(), "Agent not found");
    EXPECT_EQ(api->del(agentPath("xaaaaaaa", "/" + ids[0])).error(), "Agent not found");
    EXPECT_EQ(anonymous->get(path).status, 401);
    EXPECT_EQ(api->put(path, json::object{}).status, 405);
}

TEST_F(SkillsApi, AnAgentCreatedWithSkillsStartsWithTheirFilesAndTheGatewayTokenManagesThem) {
    std::string notes = Text(addFolder(skillFolder("notes", "notes")).at("skillId"));
    std::string weatherCid = Text(addFolder(skillFolder("weather", "weather")).at("skillCid"));
    installHub(kSnapshotsSlug);

    // Refused before the agent exists: an unknown ref, more than ten.
    auto unknown = api->post("/v0/agents", json::object{{"name", "No"},
                                                        {"engine", "test-http"},
                                                        {"skillCids", json::array{notes, "nope"}}});
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.error(), "Skill not found: nope");
    json::array many;
    for (int i = 1; i <= 11; ++i) {
        std::string name = "many-" + std::to_string(i);
        many.push_back(addFolder(skillFolder(name, name)).at("skillId"));
    }
    auto tooMany = api->post(
        "/v0/agents", json::object{{"name", "No"}, {"engine", "test-http"}, {"skillCids", many}});
    EXPECT_EQ(tooMany.status, 400);
    EXPECT_EQ(tooMany.error(), "Validation failed: skills exceeds maximum of 10");
    EXPECT_EQ(api->post("/v0/agents", json::object{{"name", "No"}, {"skillCids", "x"}}).error(),
              "Validation failed: skillCids must be an array of strings");
    EXPECT_EQ(api->get("/v0/agents").json.at("agents"), json::array());

    auto created = api->post(
        "/v0/agents", json::object{{"name", "Skilled"},
                                   {"engine", "test-http"},
                                   {"skillCids", json::array{kSnapshotsSlug, weatherCid, notes}}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::string agent = Text(created.json.at("agent").at("agentId"));
    waitForStatus(agent, "running");
    EXPECT_EQ(names(api->get("/v0/agents/" + agent)),
              (json::array{"notes", "pinfold-workspace-snapshots", "weather"}));
    EXPECT_EQ(Text(exec(agent, "cat skills/weather/SKILL.md").json.at("stdout")),
              SkillMd("weather", "A skill for tests"));

    // The agent's gateway token, on its own host and on the management host.
    std::string token = gatewayToken(agent);
    ApiClient viaHost(server->port(), token, agentHost(agent));
    ApiClient tokenOnManagement(server->port(), token);
    for (ApiClient* client : {&viaHost, &tokenOnManagement}) {
        auto list = client->get(agentPath(agent));
        EXPECT_EQ(list.status, 200) << list.body;
        EXPECT_EQ(list.json.at("skills").as_array().size(), 3u);
        EXPECT_EQ(client->del(agentPath(agent, "/" + notes)).status, 200);
        EXPECT_EQ(client->get(agentPath(agent, "/updates")).json.at("updates"), json::array());
        auto again =
            client->post(agentPath(agent), json::object{{"skillCids", json::array{notes}}});
        EXPECT_EQ(again.status, 200) << again.body;
        EXPECT_EQ(client->post(agentPath(agent, "/" + notes + "/update"), std::string()).error(),
                  "Skill notes is already at version 1.0.0");
        // Library and hub routes take the workspace's key only.
        EXPECT_EQ(client->get("/v0/skills").status, client == &viaHost ? 404 : 401);
        EXPECT_EQ(client->get("/v0/clawhub").status, client == &viaHost ? 404 : 401);
        EXPECT_EQ(client->post("/v0/clawhub/" + kPlatformSlug + "/install", std::string()).status,
                  client == &viaHost ? 404 : 401);
    }
    EXPECT_EQ(workspaceFile(agent, "skills/notes/SKILL.md"), SkillMd("notes", "A skill for tests"));

    // Not for another agent: a 404 on this agent's host, a 401 with the token elsewhere.
    auto second =
        api->post("/v0/agents", json::object{{"name", "Second"}, {"engine", "test-http"}});
    ASSERT_EQ(second.status, 201) << second.body;
    std::string secondId = Text(second.json.at("agent").at("agentId"));
    auto otherOnHost =
        viaHost.post(agentPath(secondId), json::object{{"skillCids", json::array{notes}}});
    EXPECT_EQ(otherOnHost.status, 404);
    EXPECT_EQ(otherOnHost.error(), "Agent not found");
    EXPECT_EQ(viaHost.get(agentPath(secondId)).status, 404);
    EXPECT_EQ(viaHost.del(agentPath(secondId, "/" + notes)).status, 404);
    auto otherOnManagement = tokenOnManagement.post(
        agentPath(secondId), json::object{{"skillCids", json::array{notes}}});
    EXPECT_EQ(otherOnManagement.status, 401);
    EXPECT_EQ(tokenOnManagement.get(agentPath(secondId, "/updates")).status, 401);
    EXPECT_EQ(api->get(agentPath(secondId)).json.at("skills"), json::array());
    ApiClient secondHost(server->port(), gatewayToken(secondId), agentHost(secondId));
    EXPECT_EQ(secondHost.get(agentPath(agent)).status, 404);
    EXPECT_EQ(secondHost.del(agentPath(agent, "/" + notes)).status, 404);
    EXPECT_EQ(api->get(agentPath(agent)).json.at("skills").as_array().size(), 3u);

    // Deleting the agent lets go of its skills.
    auto refused = api->del("/v0/skills/" + notes);
    EXPECT_EQ(refused.status, 409);
    ASSERT_EQ(api->del("/v0/agents/" + agent).status, 200);
    EXPECT_EQ(api->del("/v0/skills/" + notes).status, 200);
}

TEST_F(SkillsApi, AnotherWorkspaceSeesNoneOfTheSkillsOrAgentsOfThisOne) {
    std::string agent = createRunningAgent();
    json::value skill = addFolder(skillFolder("weather", "weather"));
    std::string id = Text(skill.at("skillId"));
    std::string cid = Text(skill.at("skillCid"));
    ASSERT_EQ(api->post(agentPath(agent), json::object{{"skillCids", json::array{id}}}).status,
              200);
    std::string platformId = installHub(kPlatformSlug);
    ASSERT_EQ(exec(agent, "echo private > private.txt").json.at("exitCode"), 0);
    auto synced = api->post("/v0/agents/" + agent + "/snapshots/sync", std::string());
    ASSERT_EQ(synced.status, 200) << synced.body;
    std::string snapshotCid = Text(synced.json.at("snapshotCid"));

    ApiClient other(server->port(), server->createKey("other"));
    EXPECT_EQ(other.get("/v0/skills").json.at("skills"), json::array());
    for (const std::string& ref : {id, cid, platformId, kPlatformSlug}) {
        auto versions = other.get("/v0/skills/" + ref + "/versions");
        EXPECT_EQ(versions.status, 404) << ref;
        EXPECT_EQ(versions.error(), "Skill not found") << ref;
        auto publish = other.post("/v0/skills/" + ref + "/versions",
                                  json::object{{"version", "9.0.0"}, {"skillCid", cid}});
        EXPECT_EQ(publish.status, 404) << ref;
        EXPECT_EQ(publish.error(), "Skill not found") << ref;
        auto removed = other.del("/v0/skills/" + ref);
        EXPECT_EQ(removed.status, 404) << ref;
        EXPECT_EQ(removed.error(), "Skill not found") << ref;
    }
    // This workspace's agent does not exist for the other one, on any skills route.
    std::vector<ApiResponse> agentRoutes = {
        other.get(agentPath(agent)),
        other.post(agentPath(agent), json::object{{"skillCids", json::array{id}}}),
        other.del(agentPath(agent, "/" + id)),
        other.get(agentPath(agent, "/updates")),
        other.post(agentPath(agent, "/" + id + "/update"), json::object{}),
    };
    for (const auto& r : agentRoutes) {
        EXPECT_EQ(r.status, 404) << r.body;
        EXPECT_EQ(r.error(), "Agent not found");
    }
    // Nor may its own agent take this workspace's skills by id or slug.
    auto theirs =
        other.post("/v0/agents", json::object{{"name", "Theirs"}, {"engine", "test-http"}});
    ASSERT_EQ(theirs.status, 201) << theirs.body;
    std::string theirAgent = Text(theirs.json.at("agent").at("agentId"));
    for (const std::string& ref : {id, cid, kPlatformSlug}) {
        auto r = other.post(agentPath(theirAgent), json::object{{"skillCids", json::array{ref}}});
        EXPECT_EQ(r.status, 404) << ref;
        EXPECT_EQ(r.error(), "Skill not found: " + ref);
    }
    // A snapshot's CID is no skill, whoever asks.
    for (ApiClient* client : {api.get(), &other}) {
        auto r = client->post("/v0/skills", json::object{{"skillCid", snapshotCid}});
        EXPECT_EQ(r.status, 404);
        EXPECT_EQ(r.error(), "Skill CID not found: " + snapshotCid);
    }
    // A skill folder's CID is public content, as on IPFS: it may be added to another library,
    // where it is an entry of its own.
    auto copy = other.post("/v0/skills", json::object{{"skillCid", cid}});
    ASSERT_EQ(copy.status, 200) << copy.body;
    EXPECT_NE(Text(copy.json.at("skill").at("skillId")), id);
    EXPECT_EQ(Text(copy.json.at("skill").at("skillCid")), cid);
    EXPECT_EQ(api->get("/v0/skills").json.at("skills").as_array().size(), 2u);
    EXPECT_EQ(Text(api->get(agentPath(agent)).json.at("skills").at(0).at("skillId")), id);
}

TEST_F(SkillsApi, TheLibraryAttachmentsAndInstallsSurviveARestartOfTheServer) {
    std::string agent = createRunningAgent();
    json::value skill = addFolder(skillFolder("weather", "weather"));
    std::string id = Text(skill.at("skillId"));
    std::string cid = Text(skill.at("skillCid"));
    installHub(kPlatformSlug);
    ASSERT_EQ(api->post(agentPath(agent), json::object{{"skillCids", json::array{id}}}).status,
              200);
    std::string library = api->get("/v0/skills").body;
    std::string attached = api->get(agentPath(agent)).body;

    server->restart();
    api = std::make_unique<ApiClient>(server->port(), jwt);
    waitForStatus(agent, "running");
    EXPECT_EQ(api->get("/v0/skills").body, library);
    EXPECT_EQ(api->get(agentPath(agent)).body, attached);
    EXPECT_EQ(workspaceFile(agent, "skills/weather/SKILL.md"),
              SkillMd("weather", "A skill for tests"));
    EXPECT_EQ(api->get("/v0/clawhub/" + kPlatformSlug).json.at("skill").at("installCount"), 1);
    // The blocks were kept: the skill's CID still names its folder, for another library too.
    ApiClient other(server->port(), server->createKey("other"));
    auto copy = other.post("/v0/skills", json::object{{"skillCid", cid}});
    EXPECT_EQ(copy.status, 200) << copy.body;
    auto more =
        api->post(agentPath(agent), json::object{{"skillCids", json::array{kPlatformSlug}}});
    EXPECT_EQ(more.status, 200) << more.body;
    EXPECT_EQ(exec(agent, "ls skills").json.at("stdout"), "pinfold-platform\nweather\n");
}

TEST_F(SkillsApi, OpenApiListsEverySkillsAndHubRoute) {
    auto doc = anonymous->get("/openapi");
    ASSERT_EQ(doc.status, 200);
    const json::object& paths = doc.json.at("paths").as_object();
    std::map<std::string, std::vector<std::string>> expected = {
        {"/v0/skills", {"get", "post"}},
        {"/v0/skills/{skillCid}", {"delete"}},
        {"/v0/skills/{skillId}/versions", {"get", "post"}},
        {"/v0/agents/{agentId}/skills", {"get", "post"}},
        {"/v0/agents/{agentId}/skills/updates", {"get"}},
        {"/v0/agents/{agentId}/skills/{skillId}", {"delete"}},
        {"/v0/agents/{agentId}/skills/{skillId}/update", {"post"}},
        {"/v0/clawhub", {"get"}},
        {"/v0/clawhub/{slug}", {"get"}},
        {"/v0/clawhub/{idOrSlug}/install", {"post"}},
    };
    for (const auto& [path, methods] : expected) {
        ASSERT_TRUE(paths.contains(path)) << path;
        std::set<std::string> served;
        for (const auto& m : paths.at(path).as_object()) {
            if (m.key() != "parameters")
                served.insert(std::string(m.key()));
        }
        EXPECT_EQ(served, std::set<std::string>(methods.begin(), methods.end())) << path;
    }
}

// ---- ClawHub ----

class ClawHubApi : public SkillsApi {};

TEST_F(ClawHubApi, ListsTheCatalogWithFiltersSortsAndPages) {
    auto all = api->get("/v0/clawhub");
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.json.at("nextCursor"), nullptr);
    // Popular first; with no installs, by name.
    EXPECT_EQ(names(all, "slug"), (json::array{kPlatformSlug, kRoutesSlug, kSnapshotsSlug}));

    const json::object& platform = all.json.at("skills").at(0).as_object();
    std::string hubId = Text(platform.at("hubSkillId"));
    EXPECT_EQ(hubId.size(), 36u);
    EXPECT_EQ(hubId[14], '8');  // a version 8 UUID, from the slug
    EXPECT_EQ(Text(platform.at("skillCid")), cidOf(SourceDir() + "/hub/pinfold/platform/skill"));
    EXPECT_EQ(platform.at("name"), "pinfold-platform");
    EXPECT_EQ(Text(platform.at("description")).substr(0, 40),
              "Call the Pinfold server that hosts this ");
    EXPECT_EQ(Text(platform.at("longDescription")).substr(0, 38),
              "Teaches an agent to manage its own Pin");
    EXPECT_EQ(platform.at("authorName"), "Pinfold");
    EXPECT_EQ(platform.at("authorUrl"), nullptr);
    EXPECT_EQ(platform.at("authorLogoUrl"), nullptr);
    EXPECT_EQ(platform.at("readmeUrl"), nullptr);
    EXPECT_EQ(platform.at("category"), "platform");
    EXPECT_EQ(platform.at("tags"),
              (json::array{"pinfold", "api", "secrets", "skills", "snapshots"}));
    EXPECT_EQ(platform.at("featured"), true);
    EXPECT_EQ(platform.at("installCount"), 0);
    EXPECT_EQ(platform.at("version"), "1.0.0");
    EXPECT_EQ(platform.at("createdAt"), "2026-12-01T00:00:00.000Z");
    EXPECT_EQ(platform.at("updatedAt"), "2026-12-01T00:00:00.000Z");
    EXPECT_EQ(platform.at("envVars").at(0),
              (json::object{{"name", "PINFOLD_API_URL"},
                            {"description",
                             "Base URL of the Pinfold management API, without a trailing slash"},
                            {"guideUrl", nullptr},
                            {"guideSteps", json::array{"Nothing to do: Pinfold sets it in every "
                                                       "agent's environment."}},
                            {"required", false}}));

    EXPECT_EQ(names(api->get("/v0/clawhub?category=web"), "slug"), json::array{kRoutesSlug});
    EXPECT_EQ(api->get("/v0/clawhub?category=nothing").json,
              (json::object{{"skills", json::array()}, {"nextCursor", nullptr}}));
    EXPECT_EQ(names(api->get("/v0/clawhub?featured=true"), "slug"),
              (json::array{kPlatformSlug, kSnapshotsSlug}));
    EXPECT_EQ(names(api->get("/v0/clawhub?featured=false"), "slug"), names(all, "slug"));
    EXPECT_EQ(names(api->get("/v0/clawhub?sort=newest"), "slug"),
              (json::array{kRoutesSlug, kSnapshotsSlug, kPlatformSlug}));
    EXPECT_EQ(names(api->get("/v0/clawhub?sort=name&category=platform&featured=true"), "slug"),
              (json::array{kPlatformSlug, kSnapshotsSlug}));

    // Pages of one, following nextCursor, give the whole list once.
    json::array paged;
    std::string target = "/v0/clawhub?sort=newest&limit=1";
    for (int page = 0; page < 5; ++page) {
        auto r = api->get(target);
        ASSERT_EQ(r.status, 200) << r.body;
        ASSERT_EQ(r.json.at("skills").as_array().size(), 1u);
        paged.push_back(r.json.at("skills").at(0).at("slug"));
        if (r.json.at("nextCursor").is_null())
            break;
        target = "/v0/clawhub?sort=newest&limit=1&cursor=" + Text(r.json.at("nextCursor"));
    }
    EXPECT_EQ(paged, (json::array{kRoutesSlug, kSnapshotsSlug, kPlatformSlug}));

    // Installs make a skill popular; they count libraries, across workspaces.
    ApiClient other(server->port(), server->createKey("other"));
    installHub(kSnapshotsSlug);
    installHub(kSnapshotsSlug, &other);
    installHub(kRoutesSlug, &other);
    auto popular = api->get("/v0/clawhub?sort=popular");
    EXPECT_EQ(names(popular, "slug"), (json::array{kSnapshotsSlug, kRoutesSlug, kPlatformSlug}));
    EXPECT_EQ(popular.json.at("skills").at(0).at("installCount"), 2);

    struct Case {
        std::string query;
        std::string error;
    };
    std::vector<Case> cases = {
        {"sort=best", "sort must be popular, newest or name"},
        {"sort=", "sort must be popular, newest or name"},
        {"featured=yes", "featured must be true or false"},
        {"cursor=garbage", "Invalid cursor"},
        {"limit=0", "limit must be between 1 and 100"},
        {"limit=101", "limit must be between 1 and 100"},
        {"limit=abc", "limit must be between 1 and 100"},
        {"limit=-1", "limit must be between 1 and 100"},
    };
    for (const auto& c : cases) {
        auto r = api->get("/v0/clawhub?" + c.query);
        EXPECT_EQ(r.status, 400) << c.query << " -> " << r.body;
        EXPECT_EQ(r.error(), c.error) << c.query;
    }
    EXPECT_EQ(anonymous->get("/v0/clawhub").status, 401);
}

TEST_F(ClawHubApi, FindsASkillBySlugRawOrEncodedOrByItsId) {
    auto found = api->get("/v0/clawhub/" + kPlatformSlug);
    ASSERT_EQ(found.status, 200) << found.body;
    const json::value& skill = found.json.at("skill");
    EXPECT_EQ(Text(skill.at("slug")), kPlatformSlug);
    // Under both names clients read.
    EXPECT_EQ(found.json.at("hubSkill"), skill);
    std::string hubId = Text(skill.at("hubSkillId"));
    for (const std::string& ref :
         {std::string("%40pinfold%2Fplatform"), std::string("%40pinfold/platform"),
          std::string("pinfold/platform"), std::string("pinfold%2fplatform"),
          std::string("@PinFold/Platform"), hubId}) {
        auto r = api->get("/v0/clawhub/" + ref);
        EXPECT_EQ(r.status, 200) << ref << " -> " << r.body;
        EXPECT_EQ(r.body, found.body) << ref;
    }
    for (const std::string& ref : {std::string("@pinfold/nothing"), std::string("@pinfold"),
                                   std::string("platform"), std::string("@pinfold/platform/extra"),
                                   std::string("00000000-0000-8000-8000-000000000000")}) {
        auto r = api->get("/v0/clawhub/" + ref);
        EXPECT_EQ(r.status, 404) << ref;
        EXPECT_EQ(r.error(), "Skill not found") << ref;
    }
    EXPECT_EQ(api->get("/v0/clawhub/@pinfold/..%2F..").error(), "Invalid path");
    EXPECT_EQ(api->get("/v0/clawhub/@pinfold/%00x").error(), "Invalid path");
    EXPECT_EQ(anonymous->get("/v0/clawhub/" + kPlatformSlug).status, 401);
}

TEST_F(ClawHubApi, InstallAddsToTheLibraryOnceAndThe409StillCarriesTheSkill) {
    auto installed = api->post("/v0/clawhub/" + kPlatformSlug + "/install", std::string());
    ASSERT_EQ(installed.status, 200) << installed.body;
    EXPECT_EQ(installed.json.at("success"), true);
    const json::value& skill = installed.json.at("skill");
    auto hub = api->get("/v0/clawhub/" + kPlatformSlug).json.at("skill");
    EXPECT_EQ(Text(skill.at("slug")), kPlatformSlug);
    EXPECT_EQ(skill.at("hubSkillId"), hub.at("hubSkillId"));
    EXPECT_EQ(skill.at("skillCid"), hub.at("skillCid"));
    EXPECT_EQ(skill.at("name"), "pinfold-platform");
    EXPECT_EQ(skill.at("version"), "1.0.0");
    EXPECT_EQ(skill.at("description"), hub.at("description"));
    EXPECT_EQ(skill.at("envVars").at(2),
              (json::object{{"name", "GATEWAY_TOKEN"},
                            {"description",
                             "This agent's gateway token: full access to this agent, keep it "
                             "secret"}}));
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array{skill});
    EXPECT_EQ(api->get("/v0/clawhub/" + kPlatformSlug).json.at("skill").at("installCount"), 1);

    // Again, by any of its names and with any empty body: 409 with the library's skill.
    std::string hubId = Text(hub.at("hubSkillId"));
    for (const std::string& ref : {kPlatformSlug, std::string("%40pinfold%2Fplatform"),
                                   std::string("pinfold/platform"), hubId}) {
        for (const std::string& body : {std::string(), std::string("null"), std::string("{}")}) {
            auto again = api->post("/v0/clawhub/" + ref + "/install", body);
            EXPECT_EQ(again.status, 409) << ref << " " << body;
            EXPECT_EQ(again.error(), "Skill is already installed");
            EXPECT_EQ(again.json.at("skill"), skill);
        }
    }
    EXPECT_EQ(api->get("/v0/clawhub/" + kPlatformSlug).json.at("skill").at("installCount"), 1);

    // The installed skill answers to its slug wherever a CID goes.
    auto versions = api->get("/v0/skills/" + kPlatformSlug + "/versions");
    ASSERT_EQ(versions.status, 200) << versions.body;
    EXPECT_EQ(versions.json.at("versions").at(0).at("skillCid"), hub.at("skillCid"));
    EXPECT_EQ(api->get("/v0/skills/%40pinfold%2Fplatform/versions").body, versions.body);
    // A slug as the source of a version is the hub's listing, here the content it already has.
    auto fromHub = api->post("/v0/skills/" + kPlatformSlug + "/versions",
                             json::object{{"version", "1.1.0"}, {"skillCid", kPlatformSlug}});
    EXPECT_EQ(fromHub.status, 409);
    EXPECT_EQ(fromHub.error(), "Skill pinfold-platform already has this content as version 1.0.0");

    // A skill of the same name already in the library stops an install.
    std::string own = Text(addFolder(skillFolder("own", "pinfold-web-app-routes")).at("skillId"));
    auto clash = api->post("/v0/clawhub/" + kRoutesSlug + "/install", std::string());
    EXPECT_EQ(clash.status, 409);
    EXPECT_EQ(clash.error(), "Skill pinfold-web-app-routes is already in the library");
    EXPECT_EQ(Text(clash.json.at("skill").at("skillId")), own);

    auto unknown = api->post("/v0/clawhub/@pinfold/nothing/install", std::string());
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.error(), "Skill not found");
    EXPECT_EQ(api->post("/v0/clawhub/" + kSnapshotsSlug + "/install", std::string("[1]")).error(),
              "Invalid JSON body");
    auto tooBig = api->post("/v0/clawhub/" + kSnapshotsSlug + "/install",
                            "{\"x\":\"" + std::string(70 << 10, 'a') + "\"}");
    EXPECT_EQ(tooBig.status, 413);
    EXPECT_EQ(tooBig.error(), "Request body too large");
    EXPECT_EQ(anonymous->post("/v0/clawhub/" + kSnapshotsSlug + "/install", std::string()).status,
              401);
    EXPECT_EQ(api->get("/v0/clawhub/" + kSnapshotsSlug + "/install").error(), "Skill not found");

    // Uninstalled, it may be installed again.
    ASSERT_EQ(api->del("/v0/skills/" + kPlatformSlug).status, 200);
    EXPECT_EQ(api->post("/v0/clawhub/" + hubId + "/install", std::string()).status, 200);
}

// ---- the clients ----

class SkillsCli : public SkillsApi {
  protected:
    std::string cli(const std::string& command, const std::string& args, int* code) {
        return RunShell("PINFOLD_JWT=" + jwt + " " + PinfoldBinary() + " " + command + " " + args +
                            " --host 127.0.0.1:" + std::to_string(server->port()) + " 2>&1",
                        code);
    }
    std::string skills(const std::string& args, int* code) { return cli("skills", args, code); }
    std::string hub(const std::string& args, int* code) { return cli("hub", args, code); }
};

TEST_F(SkillsCli, AddsListsPublishesShowsVersionsAndDeletes) {
    int code = -1;
    std::string folder = skillFolder("weather", "weather", {{"data/a.txt", "a\n"}});
    std::string cid = cidOf(folder);
    std::string added = skills("add " + folder, &code);
    ASSERT_EQ(code, 0) << added;
    auto list = api->get("/v0/skills");
    ASSERT_EQ(list.json.at("skills").as_array().size(), 1u);
    std::string id = Text(list.json.at("skills").at(0).at("skillId"));
    EXPECT_EQ(added, "Added weather 1.0.0 (" + id + ") " + cid + "\n");
    EXPECT_EQ(Text(list.json.at("skills").at(0).at("skillCid")), cid);

    // An archive file, with a version and a description, as JSON.
    RunShell("cd '" + work.path() +
             "' && mkdir -p arc && printf -- '---\\nname: rain\\n---\\n' > "
             "arc/SKILL.md && tar -czf rain.tgz -C arc .");
    std::string json = skills(
        "add " + work.file("rain.tgz") + " --version 0.1.0 --description 'Rain, mostly' --json",
        &code);
    ASSERT_EQ(code, 0) << json;
    auto parsed = boost::json::parse(json);
    EXPECT_EQ(parsed.at("skill").at("version"), "0.1.0");
    EXPECT_EQ(parsed.at("skill").at("description"), "Rain, mostly");
    std::string rainId = Text(parsed.at("skill").at("skillId"));

    std::string table = skills("list", &code);
    EXPECT_EQ(code, 0);
    char header[128];
    std::snprintf(header, sizeof header, "%-36s %-24s %-10s %s\n", "ID", "NAME", "VERSION", "CID");
    char row[256];
    std::snprintf(row, sizeof row, "%-36s %-24s %-10s %s\n", id.c_str(), "weather", "1.0.0",
                  cid.c_str());
    EXPECT_EQ(table.substr(0, table.find('\n') + 1), header);
    EXPECT_NE(table.find(row), std::string::npos) << table;

    std::string v2 = skillFolder("weather-2", "weather", {{"data/a.txt", "b\n"}});
    std::string cid2 = cidOf(v2);
    EXPECT_EQ(skills("publish " + cid + " " + v2 + " --version 1.1.0", &code),
              "Published weather 1.1.0 " + cid2 + "\n");
    EXPECT_EQ(code, 0);
    std::string versions = skills("versions weather", &code);  // not a ref: no skill of that id
    EXPECT_EQ(versions, "pinfold skills: 404 Skill not found\n");
    EXPECT_EQ(code, 1);
    versions = skills("versions " + id, &code);
    EXPECT_EQ(code, 0) << versions;
    EXPECT_EQ(versions.substr(0, versions.find('\n')),
              "VERSION      CREATED                    CID");
    size_t first = versions.find("1.1.0"), second = versions.find("1.0.0");
    EXPECT_TRUE(first != std::string::npos && second != std::string::npos && first < second)
        << versions;
    EXPECT_NE(versions.find(cid2), std::string::npos);

    RunShell("echo c > '" + v2 + "/data/a.txt'");
    EXPECT_EQ(skills("publish " + id + " " + v2 + " --version 1.0.5", &code),
              "pinfold skills: 409 Version 1.0.5 is not newer than 1.1.0\n");
    EXPECT_EQ(code, 1);
    RunShell("ln -s /etc/passwd '" + v2 + "/link'");
    EXPECT_EQ(skills("add " + v2, &code),
              "pinfold skills: " + v2 + "/link is not a file or folder; skills hold only those\n");
    EXPECT_EQ(code, 1);
    EXPECT_EQ(skills("add " + work.file("missing"), &code),
              "pinfold skills: " + work.file("missing") + " is neither a folder nor an archive\n");
    EXPECT_EQ(code, 1);

    EXPECT_EQ(skills("delete " + rainId, &code), "Skill rain removed from the library\n");
    EXPECT_EQ(code, 0);
    EXPECT_EQ(skills("delete " + cid2, &code), "Skill weather removed from the library\n");
    EXPECT_EQ(skills("delete " + cid2, &code), "pinfold skills: 404 Skill not found\n");
    EXPECT_EQ(code, 1);
    EXPECT_EQ(api->get("/v0/skills").json.at("skills"), json::array());
}

TEST_F(SkillsCli, HubListsShowsAndInstallsThenSkillsAttachAndDetach) {
    int code = -1;
    std::string table = hub("list", &code);
    ASSERT_EQ(code, 0) << table;
    std::vector<std::string> lines;
    for (size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos;
         start = end + 1) {
        lines.push_back(table.substr(start, end - start));
    }
    ASSERT_EQ(lines.size(), 4u) << table;
    char header[160];
    std::snprintf(header, sizeof header, "%-32s %-10s %-12s %-8s %s", "SLUG", "VERSION", "CATEGORY",
                  "INSTALLS", "DESCRIPTION");
    EXPECT_EQ(lines[0], header);
    EXPECT_EQ(lines[1].substr(0, 66),
              "@pinfold/platform                1.0.0      platform     0        ");
    EXPECT_EQ(lines[1].size(), 66u + 60u);  // the description cut to 57 characters and "..."
    EXPECT_EQ(lines[1].substr(lines[1].size() - 3), "...");
    EXPECT_EQ(lines[2].substr(0, 17), kRoutesSlug.substr(0, 17));
    EXPECT_EQ(hub("list --category web --sort newest", &code).find(kPlatformSlug),
              std::string::npos);
    std::string featured = hub("list --featured --json", &code);
    ASSERT_EQ(code, 0) << featured;
    EXPECT_EQ(boost::json::parse(featured).at("skills").as_array().size(), 2u);
    EXPECT_EQ(hub("list --sort best", &code),
              "pinfold hub: 400 sort must be popular, newest or name\n");
    EXPECT_EQ(code, 1);

    std::string shown = hub("show " + kSnapshotsSlug, &code);
    EXPECT_EQ(code, 0) << shown;
    std::string hubCid = cidOf(SourceDir() + "/hub/pinfold/workspace-snapshots/skill");
    EXPECT_EQ(shown.substr(0, shown.find('\n')), "@pinfold/workspace-snapshots 1.0.0 by Pinfold");
    EXPECT_NE(shown.find("category platform, 0 installs, CID " + hubCid + "\n"), std::string::npos)
        << shown;
    EXPECT_EQ(hub("show @pinfold/nothing", &code), "pinfold hub: 404 Skill not found\n");
    EXPECT_EQ(code, 1);

    std::string installed = hub("install " + kSnapshotsSlug, &code);
    EXPECT_EQ(code, 0) << installed;
    std::string id = Text(api->get("/v0/skills").json.at("skills").at(0).at("skillId"));
    EXPECT_EQ(installed, "Installed pinfold-workspace-snapshots 1.0.0 (" + id + ")\n");
    EXPECT_EQ(hub("install " + kSnapshotsSlug, &code),
              "pinfold hub: 409 Skill is already installed\n");
    EXPECT_EQ(code, 1);

    std::string agent = createRunningAgent();
    std::string notes = Text(addFolder(skillFolder("notes", "notes")).at("skillCid"));
    EXPECT_EQ(skills("attach " + agent + " " + kSnapshotsSlug + " " + notes, &code),
              "Attached 2; restart the agent to apply\n");
    EXPECT_EQ(code, 0);
    EXPECT_EQ(exec(agent, "ls skills").json.at("stdout"), "notes\npinfold-workspace-snapshots\n");
    EXPECT_EQ(skills("detach " + agent + " " + kSnapshotsSlug, &code),
              "Skill pinfold-workspace-snapshots detached; restart the agent for its engine to "
              "drop it\n");
    EXPECT_EQ(exec(agent, "ls skills").json.at("stdout"), "notes\n");
    EXPECT_EQ(skills("detach " + agent + " " + kSnapshotsSlug, &code),
              "pinfold skills: 404 Skill is not attached to this agent\n");
    EXPECT_EQ(code, 1);
    EXPECT_EQ(skills("attach xaaaaaaa " + notes, &code), "pinfold skills: 404 Agent not found\n");
    EXPECT_EQ(skills("delete " + notes, &code),
              "pinfold skills: 409 Skill notes is still attached to agents: " + agent +
                  "; detach it first\n");
    EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace pinfold::testing
