// The `pinfold agents` client against a real server: it speaks only HTTP.
#include "api/api_fixture.h"

namespace pinfold::testing {
namespace {

class AgentsCli : public ApiTest {
  protected:
    std::string cli(const std::string& args, int* code) {
        return RunShell("PINFOLD_JWT=" + jwt + " " + PinfoldBinary() + " agents " + args +
                            " --host 127.0.0.1:" + std::to_string(server->port()) + " 2>&1",
                        code);
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

}  // namespace
}  // namespace pinfold::testing
