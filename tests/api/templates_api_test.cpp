// Templates over HTTP against the real server: repositories made here with the stock git
// client, reached as file:// URLs under the server's --template-file-root, and through the
// server's own git endpoint with a gateway token in the URL.
#include <fstream>

#include "api/api_fixture.h"
#include "support/temp_dir.h"

namespace pinfold::testing {
namespace {

const std::string kNodeDir = std::string(PINFOLD_SOURCE_DIR) + "/tests/node";
const std::string kManifest = R"({
  "version": 1,
  "agent": {"name": "Research Helper", "vibe": "thorough", "emoji": "🔎"},
  "secrets": [{"name": "API_KEY", "description": "The research API"},
              {"name": "OPTIONAL_KEY", "required": false}],
  "skills": ["@pinfold/platform"],
  "template": {"slug": "research-helper", "category": "research", "tags": ["web"]}
})";

std::string Str(const boost::json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
}

class TemplatesApi : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        RunShell("chmod 755 '" + repos_.path() + "'");
        return {{"--template-file-root", repos_.path()}};
    }

    // A repository under the file root holding manifest.json, README.md and workspace/, its
    // first commit on main; returns its folder.
    std::string makeRepo(const std::string& name, const std::string& manifest = kManifest) {
        std::string dir = repos_.file(name);
        RunShell("mkdir -p '" + dir + "/workspace'");
        std::ofstream(dir + "/manifest.json") << manifest;
        std::ofstream(dir + "/README.md") << "# Research <b>Helper</b>\n";
        std::ofstream(dir + "/workspace/SOUL.md") << "Be thorough.\n";
        commit(dir, "init");
        return dir;
    }
    std::string commit(const std::string& dir, const std::string& message) {
        int code = -1;
        std::string out = RunShell("cd '" + dir + "' && (test -d .git || git init -q -b main) && " +
                                       "git add -A && git -c user.name=T -c user.email=t@x commit "
                                       "-qm '" +
                                       message +
                                       "' && chmod -R a+rX . && git rev-parse "
                                       "HEAD",
                                   &code);
        EXPECT_EQ(code, 0) << out;
        return out.substr(0, 40);
    }
    std::string url(const std::string& dir) const { return "file://" + dir; }
    // The CID npm ipfs-unixfs-importer gives the repository's files (.git left out).
    std::string referenceCid(const std::string& dir) {
        TempDir copy;
        int code = -1;
        RunShell("cp -a '" + dir + "/.' '" + copy.path() + "' && rm -rf '" + copy.path() +
                 "/.git'");
        std::string out =
            RunShell("node '" + kNodeDir + "/unixfs_cid.mjs' '" + copy.path() + "' 2>&1", &code);
        EXPECT_EQ(code, 0) << out;
        return out.substr(0, out.find('\n'));
    }
    std::string publish(const std::string& id) {
        int code = -1;
        std::string out = RunShell(PinfoldBinary() + " templates publish " + id + " --data '" +
                                       server->dataDir() + "' 2>&1",
                                   &code);
        EXPECT_EQ(code, 0) << out;
        return out;
    }
    ApiClient other() { return ApiClient(server->port(), server->createKey("other")); }

    TempDir repos_;
};

TEST_F(TemplatesApi, ASubmittedTemplateIsStoredAtItsCommitWithTheImportersCid) {
    std::string dir = makeRepo("research");
    std::string sha = RunShell("git -C '" + dir + "' rev-parse HEAD").substr(0, 40);
    ApiResponse r = api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto& t = r.json.at("template").as_object();
    EXPECT_EQ(r.json.at("success"), true);
    EXPECT_EQ(t.at("name"), "Research Helper");
    EXPECT_EQ(t.at("slug"), "research-helper");
    EXPECT_EQ(t.at("status"), "pending_review");
    EXPECT_EQ(t.at("category"), "research");
    EXPECT_EQ(Str(t.at("gitUrl")), url(dir));
    EXPECT_EQ(Str(t.at("gitCommitSha")), sha);
    EXPECT_EQ(Str(t.at("snapshotCid")), referenceCid(dir));
    EXPECT_EQ(t.at("defaultVibe"), "thorough");
    EXPECT_EQ(boost::json::serialize(t.at("includedSkillCids")), R"(["@pinfold/platform"])");
    EXPECT_EQ(boost::json::serialize(t.at("requiredSecrets")),
              R"([{"name":"API_KEY","description":"The research API","guideUrl":null,)"
              R"("guideSteps":[],"required":true},{"name":"OPTIONAL_KEY","description":null,)"
              R"("guideUrl":null,"guideSteps":[],"required":false}])");
    EXPECT_EQ(t.at("readmeHtml"), "<pre># Research &lt;b&gt;Helper&lt;/b&gt;\n</pre>");
    std::string id(t.at("templateId").as_string());
    EXPECT_EQ(id.size(), 8u);
    EXPECT_EQ(id[0], 't');

    EXPECT_EQ(Str(api->get("/v0/templates/research-helper").json.at("template").at("templateId")),
              id);
    EXPECT_EQ(api->get("/v0/templates/id/" + id).json.at("template").at("slug"), "research-helper");
    ApiResponse mine = api->get("/v0/templates?submittedBy=me");
    ASSERT_EQ(mine.json.at("templates").as_array().size(), 1u);
    EXPECT_EQ(boost::json::serialize(mine.json.at("categories")), R"(["research"])");
    EXPECT_EQ(api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}}).error(),
              "Template slug is already taken: research-helper");
}

TEST_F(TemplatesApi, OnlyPublishedTemplatesAreSeenByOthersAndThePublic) {
    std::string dir = makeRepo("research");
    ApiResponse r = api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}});
    ASSERT_EQ(r.status, 200) << r.body;
    std::string id(r.json.at("template").at("templateId").as_string());
    ApiClient stranger = other();
    EXPECT_EQ(stranger.get("/v0/templates/research-helper").status, 404);
    EXPECT_EQ(stranger.get("/v0/templates/id/" + id).error(), "Template not found");
    EXPECT_EQ(stranger.get("/v0/templates").json.at("templates").as_array().size(), 0u);
    EXPECT_EQ(anonymous->get("/v0/public-templates").json.at("templates").as_array().size(), 0u);
    EXPECT_EQ(stranger.del("/v0/templates/" + id).status, 404);
    EXPECT_EQ(stranger.put("/v0/templates/" + id, boost::json::object{}).status, 404);

    EXPECT_EQ(publish(id), "Template " + id + " is published\n");
    EXPECT_EQ(stranger.get("/v0/templates/research-helper").json.at("template").at("status"),
              "published");
    ApiResponse pub = anonymous->get("/v0/public-templates?category=research");
    ASSERT_EQ(pub.status, 200) << pub.body;
    ASSERT_EQ(pub.json.at("templates").as_array().size(), 1u);
    EXPECT_FALSE(pub.json.at("templates").at(0).as_object().contains("submittedBy"));
    EXPECT_EQ(
        anonymous->get("/v0/public-templates?category=defi").json.at("templates").as_array().size(),
        0u);
    EXPECT_EQ(stranger.del("/v0/templates/" + id).status, 404);

    // Re-pulled, it goes back to review; archived, it is gone and its slug is free again.
    std::ofstream(dir + "/workspace/NEW.md") << "new\n";
    std::string sha = commit(dir, "second");
    ApiResponse updated = api->put("/v0/templates/" + id, boost::json::object{});
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(updated.json.at("template").at("status"), "pending_review");
    EXPECT_EQ(Str(updated.json.at("template").at("gitCommitSha")), sha);
    EXPECT_EQ(stranger.get("/v0/templates/research-helper").status, 404);
    ApiResponse archived = api->del("/v0/templates/" + id);
    EXPECT_EQ(Str(archived.json.at("message")), "Template " + id + " archived");
    EXPECT_EQ(api->get("/v0/templates/id/" + id).status, 404);
    EXPECT_EQ(api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}}).status, 200);
}

TEST_F(TemplatesApi, ValidateListsEveryErrorAndSubmitStoresNothingInvalid) {
    std::string dir = makeRepo("broken", R"({"version": 2, "agent": {"name": ""},
        "routes": [{"port": 18789, "path": "/x"}]})");
    ApiResponse v = api->post("/v0/templates/validate", boost::json::object{{"gitUrl", url(dir)}});
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(v.json.at("valid"), false);
    EXPECT_EQ(boost::json::serialize(v.json.at("errors")),
              R"(["version must be 1","agent.name must be 1-100 characters",)"
              R"("routes[0].port must be 1025-65535 and not 18789"])");
    EXPECT_EQ(v.json.at("manifest").at("version"), 2);
    EXPECT_EQ(boost::json::serialize(v.json.at("files")),
              R"(["README.md","manifest.json","workspace/SOUL.md"])");
    ApiResponse s = api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}});
    EXPECT_EQ(s.status, 400);
    EXPECT_EQ(s.error(), "Template is not valid");
    EXPECT_EQ(s.json.at("validationErrors").as_array().size(), 3u);
    EXPECT_EQ(api->get("/v0/templates?submittedBy=me").json.at("templates").as_array().size(), 0u);

    // A valid manifest is not enough: the folder needs its README.md and workspace/ too.
    std::string bare = repos_.file("bare");
    RunShell("mkdir -p '" + bare + "'");
    std::ofstream(bare + "/manifest.json") << kManifest;
    commit(bare, "bare");
    ApiResponse b = api->post("/v0/templates", boost::json::object{{"gitUrl", url(bare)}});
    EXPECT_EQ(b.status, 400);
    EXPECT_EQ(boost::json::serialize(b.json.at("validationErrors")),
              R"(["README.md is missing","workspace/ is missing"])");
    EXPECT_EQ(api->get("/v0/templates?submittedBy=me").json.at("templates").as_array().size(), 0u);

    std::string good = makeRepo("good");
    ApiResponse ok =
        api->post("/v0/templates/validate", boost::json::object{{"gitUrl", url(good)}});
    EXPECT_EQ(ok.json.at("valid"), true);
    EXPECT_EQ(ok.json.at("errors").as_array().size(), 0u);
}

TEST_F(TemplatesApi, BadSourcesAreRefusedWithTheField) {
    std::string dir = makeRepo("research");
    auto submit = [&](boost::json::object body) { return api->post("/v0/templates", body); };
    EXPECT_EQ(submit({}).error(), "Validation failed: gitUrl is required");
    EXPECT_EQ(submit({{"gitUrl", 5}}).error(), "Validation failed: gitUrl must be a string");
    EXPECT_EQ(submit({{"gitUrl", "ssh://host/repo"}}).error(),
              "Validation failed: gitUrl must be an http://, https:// or file:// URL");
    EXPECT_EQ(submit({{"gitUrl", "ext::sh -c id"}}).error(),
              "Validation failed: gitUrl must not contain spaces or control characters");
    EXPECT_EQ(submit({{"gitUrl", "file:///etc"}}).error(),
              "Validation failed: gitUrl must lie under a template file root of this server");
    EXPECT_EQ(submit({{"gitUrl", "file://" + dir + "/../../etc"}}).error(),
              "Validation failed: gitUrl must lie under a template file root of this server");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"ref", "../main"}}).error(),
              "Validation failed: ref is not a valid branch or tag name");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"ref", "main"}, {"branch", "dev"}}).error(),
              "Validation failed: ref and branch name different refs");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"path", "../x"}}).error(),
              "Validation failed: path must be a relative folder inside the repository");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"path", "workspace/SOUL.md"}}).error(),
              "Validation failed: path workspace/SOUL.md is not a folder in the repository");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"slug", "Bad Slug"}}).error(),
              "Validation failed: slug must be 1-64 lowercase letters, digits and single hyphens");
    EXPECT_EQ(submit({{"gitUrl", url(dir)}, {"draft", "yes"}}).error(),
              "Validation failed: draft must be a boolean");
    ApiResponse missing = submit({{"gitUrl", url(dir)}, {"branch", "nope"}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.error().rfind("Could not fetch " + url(dir) + ": ", 0), 0u)
        << missing.error();
    EXPECT_NE(missing.error().find("nope"), std::string::npos) << missing.error();
    EXPECT_EQ(api->get("/v0/templates/id/tnothere").error(), "Template not found");
    EXPECT_EQ(api->post("/v0/templates/branches", boost::json::object{}).error(),
              "Validation failed: gitUrl is required");
    EXPECT_EQ(api->get("/v0/public-templates?featured=maybe").error(),
              "Validation failed: featured must be true or false");
    EXPECT_EQ(anonymous->get("/v0/templates").status, 401);
}

TEST_F(TemplatesApi, TooManyFilesOrBytesAreRefusedBeforeAnyFileIsWritten) {
    std::string many = makeRepo("many");
    RunShell("mkdir '" + many + "/workspace/e' && cd '" + many +
             "/workspace/e' && seq 10000 | xargs touch");
    commit(many, "many");
    ApiResponse r = api->post("/v0/templates/validate", boost::json::object{{"gitUrl", url(many)}});
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error(), "Template repository is too large: more than 10000 files");

    // 100 MiB + 1 byte of zeros packs into a few hundred KiB: only the tree tells its size.
    std::string big = makeRepo("big");
    RunShell("head -c 104857601 /dev/zero > '" + big + "/workspace/big.bin'");
    commit(big, "big");
    r = api->post("/v0/templates", boost::json::object{{"gitUrl", url(big)}});
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error(), "Template repository is too large: more than 104857600 bytes of files");
    EXPECT_EQ(RunShell("ls -A '" + server->dataDir() + "/tmp/templates'"), "");
}

TEST_F(TemplatesApi, BranchesTagsAndARefAndPathAreHonoured) {
    std::string dir = makeRepo("mono");
    RunShell("cd '" + dir + "' && git tag v1 && git checkout -q -b dev && mkdir -p sub/workspace");
    std::ofstream(dir + "/sub/manifest.json")
        << R"({"version": 1, "agent": {"name": "Sub Agent"}})";
    std::ofstream(dir + "/sub/README.md") << "sub\n";
    std::ofstream(dir + "/sub/workspace/A.md") << "a\n";
    std::string devSha = commit(dir, "sub");
    std::string v1 = RunShell("cd '" + dir + "' && git rev-parse v1").substr(0, 40);
    std::string subCid = referenceCid(dir + "/sub");
    RunShell("cd '" + dir + "' && git checkout -q main");

    ApiResponse branches =
        api->post("/v0/templates/branches", boost::json::object{{"gitUrl", url(dir)}});
    EXPECT_EQ(boost::json::serialize(branches.json), R"({"branches":["dev","main"]})");
    ApiResponse refs = api->post("/v0/templates/refs", boost::json::object{{"gitUrl", url(dir)}});
    EXPECT_EQ(boost::json::serialize(refs.json),
              R"({"branches":["dev","main"],"tags":["v1"],"defaultBranch":"main"})");

    ApiResponse tagged = api->post(
        "/v0/templates",
        boost::json::object{
            {"gitUrl", url(dir)}, {"ref", "refs/tags/v1"}, {"slug", "tagged"}, {"draft", true}});
    ASSERT_EQ(tagged.status, 200) << tagged.body;
    EXPECT_EQ(Str(tagged.json.at("template").at("gitCommitSha")), v1);
    EXPECT_EQ(tagged.json.at("template").at("status"), "draft");
    ApiResponse sub = api->post(
        "/v0/templates",
        boost::json::object{
            {"gitUrl", url(dir)}, {"branch", "dev"}, {"path", "sub/"}, {"name", "Renamed"}});
    ASSERT_EQ(sub.status, 200) << sub.body;
    EXPECT_EQ(Str(sub.json.at("template").at("gitCommitSha")), devSha);
    EXPECT_EQ(sub.json.at("template").at("gitPath"), "sub");
    EXPECT_EQ(sub.json.at("template").at("name"), "Renamed");
    EXPECT_EQ(sub.json.at("template").at("slug"), "renamed");
    EXPECT_EQ(Str(sub.json.at("template").at("snapshotCid")), subCid);
}

TEST_F(TemplatesApi, ATemplateDeploysWithItsFilesSkillsAndRequiredSecrets) {
    std::string dir = makeRepo("research");
    ApiResponse r = api->post("/v0/templates", boost::json::object{{"gitUrl", url(dir)}});
    ASSERT_EQ(r.status, 200) << r.body;
    std::string id(r.json.at("template").at("templateId").as_string());

    EXPECT_EQ(api->post("/v0/agents", boost::json::object{{"templateId", id}}).error(),
              "Validation failed: the template needs these secrets: API_KEY (create them and "
              "pass their ids in secretIds)");
    EXPECT_EQ(api->post("/v0/agents", boost::json::object{{"templateId", "tmissing"}}).error(),
              "Template not found: tmissing");
    ApiResponse secret = api->post(
        "/v0/secrets", boost::json::object{{"name", "API_KEY"}, {"value", "sk-template-1234"}});
    ASSERT_EQ(secret.status, 201) << secret.body;
    std::string secretId(secret.json.at("secret").at("id").as_string());

    ApiResponse created =
        api->post("/v0/agents", boost::json::object{{"templateId", id},
                                                    {"engine", "test-http"},
                                                    {"secretIds", boost::json::array{secretId}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto& agent = created.json.at("agent").as_object();
    EXPECT_EQ(agent.at("name"), "Research Helper");
    EXPECT_EQ(agent.at("vibe"), "thorough");
    std::string agentId(agent.at("agentId").as_string());
    waitForStatus(agentId, "running");
    EXPECT_EQ(
        exec(agentId, "cat SOUL.md; cat ../README.md; printf %s \"$API_KEY\"").json.at("stdout"),
        "Be thorough.\n# Research <b>Helper</b>\nsk-template-1234");
    EXPECT_EQ(exec(agentId, "head -c 1 ../manifest.json; ls skills").json.at("stdout"),
              "{pinfold-platform\n");
    ApiResponse detail = api->get("/v0/agents/" + agentId);
    ASSERT_EQ(detail.json.at("skills").as_array().size(), 1u);
    EXPECT_EQ(detail.json.at("skills").at(0).at("name"), "pinfold-platform");

    // The key is in the engine's environment, and in clear nowhere else: no log, no response,
    // no file of the server's (the agent's own home is its business).
    ApiResponse logs = api->get("/v0/agents/" + agentId + "/logs");
    ASSERT_EQ(logs.status, 200);
    EXPECT_EQ(logs.body.find("sk-template-1234"), std::string::npos) << logs.body;
    EXPECT_EQ(detail.body.find("sk-template-1234"), std::string::npos);
    EXPECT_EQ(api->get("/v0/secrets").body.find("sk-template-1234"), std::string::npos);
    EXPECT_EQ(RunShell("grep -rlF --exclude-dir=home -e sk-template-1234 '" + server->dataDir() +
                       "' 2>/dev/null"),
              "");
    EXPECT_EQ(server->log().find("sk-template-1234"), std::string::npos);

    // A skill neither the library nor the hub has stops the deploy before any agent exists.
    std::string lacking = makeRepo(
        "lacking", R"({"version": 1, "agent": {"name": "Lacking"}, "skills": ["@nobody/none"]})");
    ApiResponse t2 = api->post("/v0/templates", boost::json::object{{"gitUrl", url(lacking)}});
    ASSERT_EQ(t2.status, 200) << t2.body;
    EXPECT_EQ(api->post("/v0/agents",
                        boost::json::object{{"templateId", t2.json.at("template").at("templateId")},
                                            {"engine", "test-http"}})
                  .error(),
              "Validation failed: the template's skill @nobody/none is neither in your library "
              "nor in the hub");
    EXPECT_EQ(api->get("/v0/agents").json.at("agents").as_array().size(), 1u);

    // Not published: another workspace cannot deploy it.
    ApiClient stranger = other();
    EXPECT_EQ(stranger.post("/v0/agents", boost::json::object{{"templateId", id}}).error(),
              "Template not found: " + id);
}

TEST_F(TemplatesApi, ATemplateFromThisServersGitEndpointKeepsItsTokenSecret) {
    std::string source = createRunningAgent("Source");
    std::string token = gatewayToken(source);
    ApiResponse wrote = exec(source,
                             "mkdir -p /home/node/clawd/workspace && cd /home/node/clawd && "
                             "printf '{\"version\":1,\"agent\":{\"name\":\"Cloned\"}}' > "
                             "manifest.json && echo hi > README.md");
    ASSERT_EQ(wrote.json.at("exitCode"), 0) << wrote.body;
    ASSERT_EQ(api->post("/v0/agents/" + source + "/snapshots/sync", boost::json::object{}).status,
              200);
    std::string base =
        "127.0.0.1:" + std::to_string(server->port()) + "/v0/agents/" + source + "/git";
    ApiResponse r = api->post(
        "/v0/templates", boost::json::object{{"gitUrl", "http://pinfold:" + token + "@" + base}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Str(r.json.at("template").at("gitUrl")), "http://" + base);
    EXPECT_EQ(r.body.find(token), std::string::npos);

    ApiResponse bad = api->post(
        "/v0/templates", boost::json::object{{"gitUrl", "http://pinfold:" + token + "@" + base},
                                             {"branch", "nope"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.body.find(token), std::string::npos) << bad.body;
    ApiResponse wrong =
        api->post("/v0/templates/validate",
                  boost::json::object{{"gitUrl", "http://pinfold:wrong-token-123@" + base}});
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.body.find("wrong-token-123"), std::string::npos) << wrong.body;
    EXPECT_EQ(server->log().find(token), std::string::npos);
    EXPECT_EQ(server->log().find("wrong-token-123"), std::string::npos);
}

TEST_F(TemplatesApi, TheCliSubmitsChecksListsReviewsAndArchives) {
    std::string dir = makeRepo("research");
    std::string broken = makeRepo("broken", R"({"version": 1, "agent": {}})");
    auto cli = [&](const std::string& args, int* code) {
        return RunShell("PINFOLD_JWT=" + jwt + " " + PinfoldBinary() + " templates " + args +
                            " --host 127.0.0.1:" + std::to_string(server->port()) + " 2>&1",
                        code);
    };
    int code = -1;
    EXPECT_EQ(cli("check " + url(broken), &code), "agent.name is required\n");
    EXPECT_EQ(code, 1);
    std::string sha = RunShell("git -C '" + dir + "' rev-parse HEAD").substr(0, 40);
    EXPECT_EQ(cli("check " + url(dir), &code), "manifest.json is valid at " + sha + "\n");
    EXPECT_EQ(code, 0);
    std::string submitted = cli("submit " + url(dir) + " --draft", &code);
    ASSERT_EQ(code, 0) << submitted;
    std::string id = submitted.substr(9, 8);
    EXPECT_EQ(submitted, "Template " + id + " (research-helper) is draft\n");
    EXPECT_EQ(cli("list --mine", &code),
              "ID       SLUG                             STATUS          NAME\n" + id +
                  " research-helper                  draft           Research Helper\n");
    EXPECT_EQ(cli("refs " + url(dir), &code), "branch main (default)\n");

    // A draft is not up for review; an update submits nothing either while it is one.
    EXPECT_EQ(RunShell(PinfoldBinary() + " templates publish " + id + " --data '" +
                           server->dataDir() + "' 2>&1",
                       &code),
              "pinfold templates publish: Template " + id + " is draft, not pending_review\n");
    EXPECT_EQ(code, 1);
    ASSERT_EQ(api->del("/v0/templates/" + id).status, 200);
    submitted = cli("submit " + url(dir), &code);
    id = submitted.substr(9, 8);
    EXPECT_EQ(submitted, "Template " + id + " (research-helper) is pending_review\n");
    EXPECT_EQ(RunShell(PinfoldBinary() + " templates reject " + id +
                           " --reason 'Needs docs' --data '" + server->dataDir() + "' 2>&1",
                       &code),
              "Template " + id + " is rejected\n");
    EXPECT_EQ(Str(api->get("/v0/templates/id/" + id).json.at("template").at("reviewNote")),
              "Needs docs");
    EXPECT_EQ(cli("update " + id, &code), "Template " + id + " is pending_review at " + sha + "\n");
    EXPECT_EQ(cli("delete " + id, &code), "Template " + id + " archived\n");
    EXPECT_EQ(cli("delete " + id, &code), "pinfold templates: 404 Template not found\n");
    EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace pinfold::testing
