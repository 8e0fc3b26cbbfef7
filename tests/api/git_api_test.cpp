// Black-box tests of §13, git smart HTTP: the real git client clones, fetches and pushes an
// agent's workspace through the real server.
#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <random>
#include <tuple>

#include "api/api_fixture.h"
#include "crypto/base64.h"
#include "crypto/hash.h"

namespace pinfold::testing {
namespace {

class GitApi : public ApiTest {
  protected:
    void SetUp() override {
        ApiTest::SetUp();
        id = createRunningAgent();
        token = gatewayToken(id);
    }

    std::string cloneUrl(const std::string& agentId, const std::string& password) const {
        return "http://pinfold:" + password + "@127.0.0.1:" + std::to_string(server->port()) +
               "/v0/agents/" + agentId + "/git";
    }

    // Runs `git <args>` in `dir` with no prompts and a HOME of its own (no user config); returns
    // what git printed, stdout and stderr together.
    std::string git(const std::string& dir, const std::string& args, int* code,
                    const std::string& env = "") {
        return RunShell("cd '" + dir + "' && HOME='" + home_.path() +
                            "' GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 "
                            "GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.com "
                            "GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.com " +
                            env + " git " + args + " 2>&1",
                        code);
    }

    // Clones the agent's repository into <temp>/clone; returns its path.
    std::string cloneAgent() {
        int code = -1;
        std::string out = git(work_.path(), "clone '" + cloneUrl(id, token) + "' clone", &code);
        EXPECT_EQ(code, 0) << out << "\nserver log:\n" << server->log();
        return work_.file("clone");
    }

    void writeFile(const std::string& path, const std::string& bytes) {
        std::ofstream(path, std::ios::binary) << bytes;
    }

    std::string readAgentFile(const std::string& path) {
        auto r = api->get("/v0/agents/" + id + "/files?path=" + path);
        EXPECT_EQ(r.status, 200) << path << ": " << r.body;
        return r.body;
    }

    // A raw request to a git route with the given Authorization header ("" for none).
    ApiResponse gitRequest(http::Method method, const std::string& target,
                           const std::string& authorization, const std::string& host = "") {
        ApiClient client(server->port(), "", host);
        std::map<std::string, std::string> headers;
        if (!authorization.empty())
            headers["Authorization"] = authorization;
        return client.send(method, target, "", headers);
    }

    std::string basic(const std::string& password) const {
        return "Basic " + crypto::Base64Encode("pinfold:" + password);
    }

    std::string id;
    std::string token;
    TempDir home_;
    TempDir work_;
};

TEST_F(GitApi, CloneHoldsTheAgentsWorkspace) {
    std::string clone = cloneAgent();
    int code = -1;
    EXPECT_EQ(git(clone, "ls-files", &code), "workspace/IDENTITY.md\n");
    std::ifstream in(clone + "/workspace/IDENTITY.md");
    std::string identity((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(identity, readAgentFile("workspace/IDENTITY.md"));
    EXPECT_EQ(git(clone, "branch --show-current", &code), "main\n");
}

TEST_F(GitApi, PushedCommitLandsInTheWorkspace) {
    std::string clone = cloneAgent();
    writeFile(clone + "/workspace/from-git.txt", "pushed by git\n");
    int code = -1;
    git(clone, "add -A", &code);
    git(clone, "commit -q -m 'From git'", &code);
    ASSERT_EQ(code, 0);
    std::string out = git(clone, "push origin main", &code);
    ASSERT_EQ(code, 0) << out;
    EXPECT_EQ(readAgentFile("workspace/from-git.txt"), "pushed by git\n");
    auto inAgent = exec(id, "cat from-git.txt; stat -c %u from-git.txt");
    EXPECT_EQ(inAgent.json.at("stdout").as_string(), "pushed by git\n1000\n");
    // The pushed tree is the agent's newest snapshot.
    std::string pushed = git(clone, "rev-parse HEAD", &code);
    pushed.pop_back();
    auto snapshots = api->get("/v0/agents/" + id + "/snapshots");
    ASSERT_EQ(snapshots.status, 200) << snapshots.body;
    const auto& newest = snapshots.json.at("snapshots").as_array().at(0);
    EXPECT_EQ(newest.at("commitSha").as_string(), pushed);
    EXPECT_NE(std::string(newest.at("contentDiff").as_string()).find("+pushed by git"),
              std::string::npos);
}

TEST_F(GitApi, PushOfTwentyMegabytesIsChunkedAndLands) {
    std::string clone = cloneAgent();
    std::string bytes(20 * 1000 * 1000, '\0');
    std::mt19937_64 random(42);
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
        uint64_t word = random();
        std::memcpy(&bytes[i], &word, 8);
    }
    writeFile(clone + "/workspace/big.bin", bytes);
    int code = -1;
    git(clone, "add -A", &code);
    git(clone, "commit -q -m Big", &code);
    std::string out =
        git(clone, "push origin main", &code, "GIT_TRACE_CURL=1 GIT_TRACE_CURL_NO_DATA=1");
    ASSERT_EQ(code, 0) << out.substr(out.size() > 4000 ? out.size() - 4000 : 0);
    EXPECT_NE(out.find("Send header: Transfer-Encoding: chunked"), std::string::npos);
    auto sum = exec(id, "sha256sum big.bin");
    EXPECT_EQ(sum.json.at("stdout").as_string(),
              crypto::ToHex(crypto::Sha256(bytes)) + "  big.bin\n");
}

TEST_F(GitApi, ProtocolVersion2ListsTheRefs) {
    std::string clone = cloneAgent();
    int code = -1;
    std::string head = git(clone, "rev-parse HEAD", &code);
    head.pop_back();
    std::string refs =
        git(work_.path(), "-c protocol.version=2 ls-remote '" + cloneUrl(id, token) + "'", &code);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(refs, head + "\tHEAD\n" + head + "\trefs/heads/main\n");
    std::string traced =
        git(work_.path(), "-c protocol.version=2 ls-remote '" + cloneUrl(id, token) + "'", &code,
            "GIT_TRACE_PACKET=1");
    EXPECT_NE(traced.find("git< version 2"), std::string::npos) << traced;
}

TEST_F(GitApi, PullSeesWhatTheAgentChanged) {
    std::string clone = cloneAgent();
    ASSERT_EQ(exec(id, "echo 'written by the agent' > agent.txt").status, 200);
    int code = -1;
    std::string out = git(clone, "pull --ff-only origin main", &code);
    ASSERT_EQ(code, 0) << out;
    std::ifstream in(clone + "/workspace/agent.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "written by the agent\n");
}

TEST_F(GitApi, PushFromAStaleCloneIsRejectedUntilPulled) {
    std::string clone = cloneAgent();
    ASSERT_EQ(exec(id, "echo agent > agent.txt").status, 200);
    writeFile(clone + "/workspace/mine.txt", "mine\n");
    int code = -1;
    git(clone, "add -A", &code);
    git(clone, "commit -q -m Mine", &code);
    std::string out = git(clone, "push origin main", &code);
    EXPECT_NE(code, 0);
    EXPECT_NE(out.find("! [rejected]        main -> main (fetch first)"), std::string::npos) << out;
    EXPECT_EQ(api->get("/v0/agents/" + id + "/files?path=workspace/mine.txt").status, 404);

    out = git(clone, "pull -q --rebase origin main", &code);
    ASSERT_EQ(code, 0) << out;
    out = git(clone, "push origin main", &code);
    ASSERT_EQ(code, 0) << out;
    EXPECT_EQ(readAgentFile("workspace/mine.txt"), "mine\n");
    EXPECT_EQ(readAgentFile("workspace/agent.txt"), "agent\n");
}

TEST_F(GitApi, RefusesMissingAndWrongCredentialsAlike) {
    auto other =
        api->post("/v0/agents", boost::json::object{{"name", "Other"}, {"engine", "test-http"}});
    ASSERT_EQ(other.status, 201);
    std::string otherId(other.json.at("agent").at("agentId").as_string());
    std::string otherToken(other.json.at("agent").at("gatewayToken").as_string());
    const std::string refs = "/git/info/refs?service=git-upload-pack";

    const std::tuple<std::string, std::string, std::string> cases[] = {
        {id, "", "Missing credentials: use the agent's gateway token as the password"},
        {id, "Bearer " + token,
         "Missing credentials: use the agent's gateway token as the password"},
        {id, "Basic !!!", "Missing credentials: use the agent's gateway token as the password"},
        {id, basic("wrong"), "Invalid gateway token"},
        {id, basic(otherToken), "Invalid gateway token"},
        {id, "Bearer " + jwt, "Missing credentials: use the agent's gateway token as the password"},
        {"xnothere", basic(token), "Invalid gateway token"},
    };
    for (const auto& [agent, authorization, error] : cases) {
        auto r = gitRequest(http::Method::kGet, "/v0/agents/" + agent + refs, authorization);
        EXPECT_EQ(r.status, 401) << agent << " " << authorization;
        EXPECT_EQ(r.headers["www-authenticate"], "Basic realm=\"Pinfold\"") << authorization;
        EXPECT_EQ(r.error(), error) << agent << " " << authorization;
    }
    // On an agent host, only that agent's repository, and with the same answers.
    auto elsewhere =
        gitRequest(http::Method::kGet, "/v0/agents/" + id + refs, basic(token), agentHost(otherId));
    EXPECT_EQ(elsewhere.status, 401);
    EXPECT_EQ(elsewhere.error(), "Invalid gateway token");

    int code = -1;
    std::string out = git(work_.path(), "ls-remote '" + cloneUrl(id, "wrong") + "'", &code);
    EXPECT_NE(code, 0);
    EXPECT_NE(out.find("Authentication failed"), std::string::npos) << out;
    out = git(work_.path(),
              "ls-remote 'http://127.0.0.1:" + std::to_string(server->port()) + "/v0/agents/" + id +
                  "/git'",
              &code);
    EXPECT_NE(code, 0);
    EXPECT_NE(out.find("could not read Username"), std::string::npos) << out;
}

TEST_F(GitApi, ServesTheAgentsRepositoryOnItsOwnHost) {
    int code = -1;
    std::string out = git(
        work_.path(),
        "-c 'http.extraHeader=Host: " + agentHost(id) + "' ls-remote '" + cloneUrl(id, token) + "'",
        &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("\trefs/heads/main\n"), std::string::npos) << out;
    auto refs = gitRequest(http::Method::kGet,
                           "/v0/agents/" + id + "/git/info/refs?service=git-receive-pack",
                           basic(token), agentHost(id));
    EXPECT_EQ(refs.status, 200);
    EXPECT_EQ(refs.headers["content-type"], "application/x-git-receive-pack-advertisement");
    EXPECT_EQ(refs.headers["cache-control"], "no-cache, max-age=0, must-revalidate");
}

TEST_F(GitApi, OnlyTheSmartProtocolIsServed) {
    const std::string base = "/v0/agents/" + id + "/git";
    const std::pair<std::string, int> gets[] = {
        {base + "/info/refs", 404},                  // dumb protocol
        {base + "/info/refs?service=git-foo", 404},  // unknown service
        {base + "/info/refs?service=git-upload-archive", 404},
        {base + "/HEAD", 404},
        {base + "/objects/info/packs", 404},
        {base + "/objects/ab/cdef0123456789", 404},
        {base + "/config", 404},
        {base + "/../files?path=workspace/IDENTITY.md", 400},  // dot segments are refused
        {base + "/%2e%2e/files?path=workspace/IDENTITY.md", 400},
        {base + "/git-upload-pack", 405},
    };
    for (const auto& [target, status] : gets) {
        auto r = gitRequest(http::Method::kGet, target, basic(token));
        EXPECT_EQ(r.status, status) << target << ": " << r.body;
        auto onAgentHost = gitRequest(http::Method::kGet, target, basic(token), agentHost(id));
        EXPECT_EQ(onAgentHost.status, status) << target << " on the agent host";
    }
    auto archive = gitRequest(http::Method::kPost, base + "/git-upload-archive", basic(token));
    EXPECT_EQ(archive.status, 404);
    ApiClient client(server->port(), "");
    auto wrongType = client.send(http::Method::kPost, base + "/git-upload-pack", "0000",
                                 {{"Authorization", basic(token)}, {"Content-Type", "text/plain"}});
    EXPECT_EQ(wrongType.status, 415);
}

TEST_F(GitApi, CliPrintsACloneUrlThatWorks) {
    int code = -1;
    std::string url = RunShell("PINFOLD_JWT=" + jwt + " " + PinfoldBinary() + " agents clone-url " +
                                   id + " --host 127.0.0.1:" + std::to_string(server->port()),
                               &code);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(url, cloneUrl(id, token) + "\n");
    url.pop_back();
    std::string out = git(work_.path(), "ls-remote '" + url + "'", &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("\trefs/heads/main\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace pinfold::testing
