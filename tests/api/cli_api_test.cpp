// The `pinfold agents`, `pinfold snapshots` and `pinfold secrets` clients against a real server:
// they speak only HTTP.
#include "api/api_fixture.h"
#include "support/temp_dir.h"

namespace pinfold::testing {
namespace {

class AgentsCli : public ApiTest {
  protected:
    std::string cli(const std::string& args, int* code, const std::string& command = "agents") {
        return RunShell("PINFOLD_JWT=" + jwt + " " + PinfoldBinary() + " " + command + " " + args +
                            " --host 127.0.0.1:" + std::to_string(server->port()) + " 2>&1",
                        code);
    }
    std::string snapshots(const std::string& args, int* code) {
        return cli(args, code, "snapshots");
    }
};

TEST_F(AgentsCli, CreatesListsExecsAndDeletes) {
    int code = -1;
    std::string created = cli("create Helper --engine test-http --vibe calm --json", &code);
    ASSERT_EQ(code, 0) << created;
    auto parsed = boost::json::parse(created);
    std::string id(parsed.at("agent").at("agentId").as_string());
    waitForStatus(id, "running");

    std::string table = cli("list", &code);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(table.substr(0, table.find('\n')),
              "ID         STATUS       ENGINE     VERSION    NAME");
    EXPECT_NE(table.find(id + "   running      test-http  1.0.0      Helper"), std::string::npos)
        << table;

    EXPECT_EQ(cli("exec " + id + " 'echo hi; exit 3'", &code), "hi\n");
    EXPECT_EQ(code, 3);  // the command's own exit code
    EXPECT_EQ(cli("delete " + id, &code), "Agent " + id + " deleted\n");
    EXPECT_EQ(code, 0);
    EXPECT_EQ(cli("get " + id, &code), "pinfold agents: 404 Agent not found\n");
    EXPECT_EQ(code, 1);
}

TEST_F(AgentsCli, SaysWhenTheKeyIsMissing) {
    int code = -1;
    std::string out = RunShell(PinfoldBinary() + " agents list --host 127.0.0.1:" +
                                   std::to_string(server->port()) + " 2>&1",
                               &code);
    EXPECT_EQ(out, "pinfold agents: set PINFOLD_JWT (or --jwt) to an API key\n");
    EXPECT_EQ(code, 2);
}

TEST_F(AgentsCli, SnapshotsSyncListResetExportAndImport) {
    std::string id = createRunningAgent();
    int code = -1;
    ASSERT_EQ(exec(id, "echo one > cli.txt").status, 200);
    std::string synced = snapshots("sync " + id + " --json", &code);
    ASSERT_EQ(code, 0) << synced;
    std::string cid(boost::json::parse(synced).at("snapshotCid").as_string());
    std::string again = snapshots("sync " + id, &code);
    EXPECT_EQ(again.substr(0, again.find('\n')), "No changes since the last snapshot");
    std::string list = snapshots("list " + id, &code);
    EXPECT_EQ(code, 0);
    EXPECT_NE(list.find(cid), std::string::npos) << list;

    ASSERT_EQ(exec(id, "echo two > cli.txt").status, 200);
    EXPECT_EQ(snapshots("reset " + id + " " + cid, &code),
              "Workspace reset to snapshot " + cid + "\n");
    EXPECT_EQ(exec(id, "cat cli.txt").json.at("stdout").as_string(), "one\n");

    TempDir dir;
    std::string car = dir.file("ws.car");
    std::string exported = snapshots("export " + id + " " + cid + " -o " + car, &code);
    EXPECT_EQ(code, 0) << exported;
    EXPECT_EQ(exported.rfind(car + " (", 0), 0u) << exported;
    std::string other = createRunningAgent("Copy");
    std::string imported = snapshots("import " + other + " " + car + " --json", &code);
    ASSERT_EQ(code, 0) << imported;
    EXPECT_EQ(boost::json::parse(imported).at("snapshotCid").as_string(), cid);
    EXPECT_EQ(exec(other, "cat cli.txt").json.at("stdout").as_string(), "one\n");

    EXPECT_EQ(snapshots("reset " + id + " nonsense", &code),
              "pinfold snapshots: 400 Invalid snapshot CID\n");
    EXPECT_EQ(code, 1);
}

TEST_F(AgentsCli, SecretsSetFromStdinAttachDetachAndDelete) {
    std::string id = createRunningAgent();
    int code = -1;
    TempDir dir;
    RunShell("printf 'sk-cli-secret-1\\n' > " + dir.file("one") + "; printf 'line-one\\n' > " +
             dir.file("two"));
    std::string created = cli("set API_KEY < " + dir.file("one"), &code, "secrets");
    ASSERT_EQ(code, 0) << created;
    EXPECT_EQ(created.substr(0, 8), "Created ");
    std::string secretId = created.substr(8, 36);
    EXPECT_EQ(cli("set API_KEY --value sk-cli-secret-2", &code, "secrets"),
              "Updated " + secretId + "\n");
    EXPECT_EQ(cli("set REGION --variable --value eu", &code, "secrets").substr(0, 8), "Created ");
    EXPECT_EQ(cli("attach " + id + " API_KEY", &code, "secrets"),
              "Attached 1; restart the agent to apply\n");
    std::string table = cli("list", &code, "secrets");
    EXPECT_NE(table.find(secretId + " API_KEY                          secret   " + id),
              std::string::npos)
        << table;
    EXPECT_EQ(table.find("sk-cli"), std::string::npos) << table;
    EXPECT_EQ(
        cli("delete API_KEY", &code, "secrets"),
        "pinfold secrets: 409 Secret is still attached to agents: " + id + "; detach it first\n");
    EXPECT_EQ(code, 1);
    EXPECT_EQ(cli("detach " + id + " API_KEY", &code, "secrets"),
              "Secret detached; the engine keeps it until the agent restarts\n");
    EXPECT_EQ(cli("delete API_KEY", &code, "secrets"), "Deleted " + secretId + "\n");
    EXPECT_EQ(code, 0);
    EXPECT_EQ(cli("delete API_KEY", &code, "secrets"),
              "pinfold secrets: no secret named API_KEY\n");
    EXPECT_EQ(code, 1);
    // The stored value is the one from stdin without its newline, as the engine sees it.
    ASSERT_EQ(cli("set TOKEN < " + dir.file("two"), &code, "secrets").substr(0, 8), "Created ");
    ASSERT_EQ(cli("attach " + id + " TOKEN", &code, "secrets").substr(0, 8), "Attached");
    ASSERT_EQ(api->post("/v0/agents/" + id + "/restart", boost::json::object{}).status, 200);
    waitForStatus(id, "running");
    EXPECT_EQ(exec(id, "printf '[%s]' \"$TOKEN\"").json.at("stdout").as_string(), "[line-one]");
}

// Offline: no server involved.
TEST(TemplatesCli, ValidatesAFolderAndListsEveryError) {
    TempDir dir;
    RunShell("mkdir " + dir.file("workspace") + " && echo '# Hi' > " + dir.file("README.md") +
             " && echo '{\"version\": 1, \"agent\": {\"name\": \"Hi\"}}' > " +
             dir.file("manifest.json"));
    int code = -1;
    std::string validate = PinfoldBinary() + " templates validate " + dir.path();
    EXPECT_EQ(RunShell(validate + " 2>&1", &code), "manifest.json is valid\n");
    EXPECT_EQ(code, 0);

    RunShell("echo '{\"version\": 2, \"agent\": {}}' > " + dir.file("manifest.json") + " && rm " +
             dir.file("README.md"));
    EXPECT_EQ(RunShell(validate + " 2>/dev/null", &code), "");  // errors go to stderr
    EXPECT_EQ(RunShell(validate + " 2>&1", &code),
              "version must be 1\nagent.name is required\nREADME.md is missing\n");
    EXPECT_EQ(code, 1);

    EXPECT_EQ(RunShell(validate + "/nope 2>&1", &code),
              "pinfold templates validate: " + dir.path() + "/nope: No such file or directory\n");
    EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace pinfold::testing
