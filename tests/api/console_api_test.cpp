// Black-box tests of §2: console exec, files, uploads (and ../shared/cases/README.md).
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "api/api_fixture.h"
#include "crypto/base64.h"
#include "crypto/hash.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

// One running agent shared by the tests of this file (creating one per test adds no coverage).
class ConsoleApi : public ApiTest {
  protected:
    void SetUp() override {
        ApiTest::SetUp();
        id = createRunningAgent();
    }
    std::string stdoutOf(const ApiResponse& r) {
        return std::string(r.json.at("stdout").as_string());
    }
    ApiResponse upload(const std::string& name, const std::string& bytes) {
        return api->post(
            "/v0/agents/" + id + "/files/upload",
            json::object{{"filename", name}, {"contentBase64", crypto::Base64Encode(bytes)}});
    }
    std::string id;
};

TEST_F(ConsoleApi, ExecRunsAsTheAgentsOwnUserInItsWorkspace) {
    auto r = exec(id, "id -u; pwd; hostname; echo err >&2");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(stdoutOf(r), "1000\n/home/node/clawd/workspace\n" + id + "\n");
    EXPECT_EQ(r.json.at("stderr").as_string(), "err\n");
    EXPECT_EQ(r.json.at("exitCode").as_int64(), 0);
    EXPECT_EQ(r.json.at("command").as_string(), "id -u; pwd; hostname; echo err >&2");
    EXPECT_EQ(r.json.at("truncated").as_bool(), false);
    EXPECT_EQ(r.json.at("timestamp").as_string().size(), 24u);
}

TEST_F(ConsoleApi, ExecFollowsTheSharedCases) {
    auto missing = exec(id, "definitely-not-a-command");
    EXPECT_EQ(missing.json.at("exitCode").as_int64(), 127);
    EXPECT_NE(std::string(missing.json.at("stderr").as_string()).find("not found"),
              std::string::npos);
    EXPECT_EQ(stdoutOf(exec(id, "read x; echo done")), "done\n");
    auto heredoc = exec(id, "cat <<'EOF' > /tmp/x\nhi\nEOF\ncat /tmp/x");
    EXPECT_EQ(heredoc.json.at("exitCode").as_int64(), 0);
    EXPECT_EQ(stdoutOf(heredoc), "hi\n");
    auto start = std::chrono::steady_clock::now();
    auto background = exec(id, "nohup sleep 100 >/dev/null 2>&1 &");
    EXPECT_EQ(background.json.at("exitCode").as_int64(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(exec(id, "exit 3").json.at("exitCode").as_int64(), 3);
    EXPECT_EQ(stdoutOf(exec(id, "pwd", {{"cwd", "/tmp"}})), "/tmp\n");
    EXPECT_EQ(stdoutOf(exec(id, "pwd", {{"cwd", "workspace"}})), "/home/node/clawd/workspace\n");
}

TEST_F(ConsoleApi, ExecTimeoutKillsTheWholeProcessGroup) {
    auto r = exec(id, "sleep 30 & sleep 30", {{"timeoutMs", 1000}});
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(r.error(), "Command timed out after 1000 ms");
    EXPECT_EQ(stdoutOf(exec(id, "ps -eo args | grep -c '^sleep 30' || true")), "0\n");
}

TEST_F(ConsoleApi, ExecRefusesBadInput) {
    const std::pair<json::object, const char*> cases[] = {
        {{{"command", ""}}, "Invalid command: command is required"},
        {{}, "Invalid command: command must be a string"},
        {{{"command", 5}}, "Invalid command: command must be a string"},
        {{{"command", "ls"}, {"cwd", "/does/not/exist"}}, "Invalid command: cwd does not exist"},
        {{{"command", "ls"}, {"cwd", 7}}, "Invalid command: cwd must be a string"},
        {{{"command", "ls"}, {"timeoutMs", "soon"}},
         "Validation failed: timeoutMs must be an integer"},
        {{{"command", "ls"}, {"timeoutMs", 0}},
         "Invalid command: timeoutMs must be between 1 and 600000"},
    };
    for (const auto& [body, error] : cases) {
        auto r = api->post("/v0/agents/" + id + "/console/exec", body);
        EXPECT_EQ(r.status, 400) << json::serialize(body);
        EXPECT_EQ(r.error(), error) << json::serialize(body);
    }
}

TEST_F(ConsoleApi, OutputIsCappedAndFlaggedTruncated) {
    auto r = exec(id, "head -c 2000000 /dev/zero | tr '\\0' a");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json.at("stdout").as_string().size(), 1u << 20);
    EXPECT_EQ(r.json.at("truncated").as_bool(), true);
}

TEST_F(ConsoleApi, TheAgentCannotSeeHostSecretsOrRemountItsView) {
    auto shadow = exec(id, "cat /etc/shadow");
    EXPECT_NE(shadow.json.at("exitCode").as_int64(), 0);
    auto remount = exec(id, "mount -o remount,rw /usr");
    EXPECT_NE(remount.json.at("exitCode").as_int64(), 0);
    auto touch = exec(id, "touch /usr/pinfold-escape");
    EXPECT_NE(touch.json.at("exitCode").as_int64(), 0);
    auto data = exec(id, "ls " + server->dataDir());
    EXPECT_NE(data.json.at("exitCode").as_int64(), 0);
    EXPECT_EQ(stdoutOf(exec(id, "grep CapEff /proc/self/status")), "CapEff:\t0000000000000000\n");
}

TEST_F(ConsoleApi, FilesReadRawBytesAndRefusePathTricks) {
    ASSERT_EQ(exec(id, "printf 'a\\000b' > raw.bin; mkdir -p d; ln -s / escape").status, 200);
    auto raw = api->get("/v0/agents/" + id + "/files?path=workspace/raw.bin");
    EXPECT_EQ(raw.status, 200);
    EXPECT_EQ(raw.body, std::string("a\0b", 3));
    EXPECT_EQ(raw.headers["content-type"], "application/octet-stream");
    auto absolute = api->get("/v0/agents/" + id + "/files?path=/home/node/clawd/workspace/raw.bin");
    EXPECT_EQ(absolute.body, std::string("a\0b", 3));
    for (const char* path :
         {"../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fshadow", "workspace/../../..//etc/shadow",
          "workspace/escape/etc/shadow", "/etc/shadow", "workspace/nothing.txt"}) {
        auto r = api->get("/v0/agents/" + id + "/files?path=" + path);
        EXPECT_EQ(r.status, 404) << path << ": " << r.body.substr(0, 200);
        EXPECT_EQ(r.error(), "File not found") << path;
    }
    auto dir = api->get("/v0/agents/" + id + "/files?path=workspace/d");
    EXPECT_EQ(dir.status, 400);
    EXPECT_EQ(dir.error(), "Path is a directory");
    auto none = api->get("/v0/agents/" + id + "/files");
    EXPECT_EQ(none.status, 400);
    EXPECT_EQ(none.error(), "Missing query parameter: path");
}

TEST_F(ConsoleApi, FilesOver5MiBAre413) {
    ASSERT_EQ(
        exec(id, "head -c 5242881 /dev/zero > big.bin; head -c 5242880 /dev/zero > max.bin").status,
        200);
    auto big = api->get("/v0/agents/" + id + "/files?path=workspace/big.bin");
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.error(), "File too large");
    EXPECT_EQ(api->get("/v0/agents/" + id + "/files?path=workspace/max.bin").body.size(), 5242880u);
}

TEST_F(ConsoleApi, UploadsLandInUploadsWithTheSameBytes) {
    for (size_t size : {size_t(17 * 1024), size_t(64 * 1024), size_t(5 * 1024 * 1024)}) {
        std::string bytes(size, '\0');
        for (size_t i = 0; i < size; ++i)
            bytes[i] = static_cast<char>(i * 31 + 7);
        auto r = upload("blob.bin", bytes);
        ASSERT_EQ(r.status, 200) << size << " " << r.body.substr(0, 200);
        EXPECT_EQ(r.json.at("path").as_string(), "/home/node/clawd/workspace/uploads/blob.bin");
        EXPECT_EQ(r.json.at("size").as_int64(), static_cast<int64_t>(size));
        auto back = api->get("/v0/agents/" + id + "/files?path=workspace/uploads/blob.bin");
        EXPECT_EQ(crypto::Sha256(back.body), crypto::Sha256(bytes)) << size;
    }
    auto tooBig = upload("big.bin", std::string(5 * 1024 * 1024 + 1, 'x'));
    EXPECT_EQ(tooBig.status, 413);
    EXPECT_EQ(tooBig.error(), "File too large");
    EXPECT_EQ(api->get("/v0/agents/" + id + "/files?path=workspace/uploads/big.bin").status, 404);
}

TEST_F(ConsoleApi, UploadNamesAreSanitisedOrRefused) {
    const std::pair<const char*, const char*> stored[] = {
        {"my report.pdf", "my_report.pdf"},
        {"résumé.txt", "résumé.txt"},
        {"a#b%c.txt", "a_b_c.txt"},
        {"../../x", "x"},
    };
    for (const auto& [name, safe] : stored) {
        auto r = upload(name, "hello");
        ASSERT_EQ(r.status, 200) << name << r.body;
        EXPECT_EQ(r.json.at("filename").as_string(), safe);
        EXPECT_EQ(r.json.at("path").as_string(),
                  std::string("/home/node/clawd/workspace/uploads/") + safe);
    }
    for (const char* name : {".", "", ".."}) {
        auto r = upload(name, "hello");
        EXPECT_EQ(r.status, 400) << name;
        EXPECT_EQ(r.error(), "Invalid filename") << name;
    }
    auto prefixed = api->post(
        "/v0/agents/" + id + "/files/upload",
        json::object{{"filename", "a.txt"}, {"contentBase64", "data:text/plain;base64,aGk="}});
    EXPECT_EQ(prefixed.status, 400);
    EXPECT_EQ(prefixed.error(), "Invalid base64: send plain base64 without a data: URL prefix");
    auto malformed = api->post("/v0/agents/" + id + "/files/upload",
                               json::object{{"filename", "a.txt"}, {"contentBase64", "!!!="}});
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(malformed.error(), "Invalid base64 content");
    auto missing = api->post("/v0/agents/" + id + "/files/upload", json::object{{"filename", "a"}});
    EXPECT_EQ(missing.error(), "Validation failed: contentBase64 is required");
}

TEST_F(ConsoleApi, UploadNeverFollowsADanglingSymlinkOutOfTheAgent) {
    ASSERT_EQ(exec(id, "mkdir -p uploads && ln -s /srv/pinfold-x uploads/a.txt").status, 200);
    auto r = upload("a.txt", "payload");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(RunShell("test -e /srv/pinfold-x && echo leaked || echo safe"), "safe\n");
}

TEST_F(ConsoleApi, AgentHostProxiesOtherPathsToTheEngine) {
    std::string token = gatewayToken(id);
    ApiClient host(server->port(), "", agentHost(id));
    auto r = host.get("/hello/world?x=1",
                      {{"Cookie", "gw_token=" + token}, {"X-Forwarded-For", "203.0.113.9"}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("path").as_string(), "/hello/world?x=1");
    EXPECT_EQ(r.json.at("method").as_string(), "GET");
    // The engine sees a direct local client: OpenClaw refuses loopback forwarded headers.
    const auto& headers = r.json.at("headers").as_object();
    EXPECT_EQ(headers.at("Host").as_string(), agentHost(id));
    EXPECT_FALSE(headers.contains("X-Forwarded-For")) << r.body;
    EXPECT_FALSE(headers.contains("X-Forwarded-Host")) << r.body;
    EXPECT_EQ(r.json.at("hostname").as_string(), id);
}

TEST_F(ConsoleApi, OutputThatIsNotUtf8StillMakesValidJson) {
    auto r = exec(id, "printf 'ok\\377\\376'");
    ASSERT_EQ(r.status, 200);
    ASSERT_TRUE(r.json.is_object()) << r.body;
    EXPECT_EQ(r.json.at("stdout").as_string(), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(ConsoleApi, FilesNeverUseTheServersPrivileges) {
    // Exec as the agent cannot read these; neither may the files API on its behalf.
    EXPECT_NE(exec(id, "cat /proc/2/stack").json.at("exitCode").as_int64(), 0);
    auto stack = api->get("/v0/agents/" + id + "/files?path=/proc/2/stack");
    EXPECT_EQ(stack.status, 404);
    EXPECT_EQ(stack.error(), "File not found");
    ASSERT_EQ(exec(id, "echo '<script>alert(1)</script>' > x.html").status, 200);
    auto page = api->get("/v0/agents/" + id + "/files?path=workspace/x.html");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_EQ(page.headers["content-security-policy"], "default-src 'none'; sandbox");
}

TEST_F(ConsoleApi, OneAgentCannotTakeEveryWorker) {
    std::vector<std::thread> sleepers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i) {
        sleepers.emplace_back([&] {
            ApiClient own(server->port(), jwt);
            auto r = own.post("/v0/agents/" + id + "/console/exec",
                              json::object{{"command", "sleep 2"}});
            if (r.status == 200)
                ++ok;
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    auto refused = exec(id, "true");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.error(), "Too many commands running in this agent (at most 4)");
    for (auto& t : sleepers)
        t.join();
    EXPECT_EQ(ok.load(), 4);
    EXPECT_EQ(exec(id, "true").status, 200);
}

}  // namespace
}  // namespace pinfold::testing
