#include "runtime/engine_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runtime/engine_registry.h"
#include "sandbox/agent_home.h"
#include "sandbox/safe_files.h"
#include "sandbox/sandbox_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::runtime {
namespace {

TEST(EngineConfig, OpenClawDefaultHasOnlyDocumentedKeys) {
    EXPECT_EQ(OpenClawDefaultConfig(18789, "tok"),
              R"({"gateway":{"mode":"local","port":18789,"bind":"loopback","auth":{"mode":"token",)"
              R"("token":"tok"}},"agents":{"defaults":{"workspace":"/home/node/clawd/workspace"}}})"
              "\n");
}

TEST(EngineConfig, TokenUpdateKeepsEverythingElseAndAcceptsJson5Comments) {
    Result<std::string> updated = WithGatewayToken(
        "{\n  // mine\n  \"gateway\": {\"mode\": \"local\", \"auth\": {\"mode\": \"password\", "
        "\"token\": \"old\"}},\n  \"agents\": {\"defaults\": {\"maxConcurrent\": 4,}},\n}",
        "new");
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(*updated, R"({"gateway":{"mode":"local","auth":{"mode":"password","token":"new"}},)"
                        R"("agents":{"defaults":{"maxConcurrent":4}}})"
                        "\n");
    EXPECT_EQ(*WithGatewayToken("{}", "t"), R"({"gateway":{"auth":{"mode":"token","token":"t"}}})"
                                            "\n");
    EXPECT_EQ(WithGatewayToken("{ gateway: {} }", "t").status().ToString(),
              "InvalidArgument: the config file is not plain JSON");
}

TEST(EngineConfig, WritesTheConfigAsTheAgentAndUpdatesItsToken) {
    testing::TempDir temp;
    sandbox::test::MakeTraversable(temp.path());
    AgentLaunchSpec spec;
    spec.agentId = "a1";
    spec.hostUid = sandbox::test::TestUid();
    spec.homeDir = temp.path() + "/home";
    spec.engine = OpenClawEngine("/e");
    spec.gatewayToken = "first";
    ASSERT_TRUE(sandbox::PrepareAgentHome(spec.homeDir, spec.hostUid).ok());
    ASSERT_TRUE(PrepareEngineConfig(spec).ok());
    std::string file = spec.homeDir + "/.openclaw/openclaw.json";
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, spec.hostUid);
    EXPECT_EQ(*sandbox::ReadFileInRoot(spec.homeDir, ".openclaw/openclaw.json", spec.hostUid, 4096),
              OpenClawDefaultConfig(18789, "first"));

    spec.gatewayToken = "second";
    ASSERT_TRUE(PrepareEngineConfig(spec).ok());
    EXPECT_EQ(*sandbox::ReadFileInRoot(spec.homeDir, ".openclaw/openclaw.json", spec.hostUid, 4096),
              OpenClawDefaultConfig(18789, "second"));
}

TEST(EngineConfig, EnginesWithoutAKnownConfigAreLeftAlone) {
    AgentLaunchSpec spec;
    spec.homeDir = "/nonexistent";
    spec.hostUid = 1234;
    spec.engine.configPath = "/home/node/.hermes/config.yaml";
    EXPECT_TRUE(PrepareEngineConfig(spec).ok());
    spec.engine.configPath = "";
    EXPECT_TRUE(PrepareEngineConfig(spec).ok());
}

TEST(EngineConfig, PlaceholdersAreExpanded) {
    EXPECT_EQ(
        ExpandPlaceholders("--port {port} --token={token} v{version} {port}", 18789, "t0k", "1.2"),
        "--port 18789 --token=t0k v1.2 18789");
}

}  // namespace
}  // namespace pinfold::runtime
