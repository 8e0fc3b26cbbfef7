// Black-box tests of §8 (snapshots) and the CAR export/import beyond it: the real server, a real
// agent, real git, and CIDs checked against the npm reference importer.
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "api/api_fixture.h"
#include "support/temp_dir.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

const std::string kNodeDir = std::string(PINFOLD_SOURCE_DIR) + "/tests/node";

class SnapshotsApi : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--snapshot-interval", "0"};
        return options;
    }
    void SetUp() override {
        ApiTest::SetUp();
        id = createRunningAgent();
    }
    std::string path(const std::string& rest = "") const {
        return "/v0/agents/" + id + "/snapshots" + rest;
    }
    void Run(const std::string& command) {
        auto r = exec(id, command);
        ASSERT_EQ(r.status, 200) << r.body;
        ASSERT_EQ(r.json.at("exitCode").as_int64(), 0) << r.body;
    }
    // A hash of every tracked-looking file under /home/node/clawd (paths and bytes).
    std::string TreeHash() {
        auto r = exec(id,
                      "cd /home/node/clawd && find . -path ./workspace/runs -prune -o -type f "
                      "-print | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum");
        return std::string(r.json.at("stdout").as_string());
    }
    ApiResponse sync() { return api->post(path("/sync"), std::string()); }
    std::string str(const ApiResponse& r, const char* field) {
        return std::string(r.json.at(field).as_string());
    }
    // The CID npm ipfs-unixfs-importer computes for the agent's repository root (tracked files),
    // from a copy made by `git archive` of the given commit.
    std::string ReferenceCid(const std::string& commit) {
        TempDir tree;
        int code = -1;
        std::string repo = server->dataDir() + "/agents/" + id + "/repo.git";
        std::string unpacked = RunShell("git -c safe.directory='*' --git-dir='" + repo +
                                            "' --work-tree=/nonexistent archive " + commit +
                                            " | tar -x -C '" + tree.path() + "' 2>&1",
                                        &code);
        EXPECT_EQ(code, 0) << unpacked;
        std::string out =
            RunShell("node '" + kNodeDir + "/unixfs_cid.mjs' '" + tree.path() + "' 2>&1", &code);
        EXPECT_EQ(code, 0) << out;
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }
    std::string id;
};

TEST_F(SnapshotsApi, SyncCommitsTheWorkspaceAndItsCidMatchesTheReferenceImporter) {
    Run("mkdir -p notes && printf 'hello world\\n' > notes/a.txt && printf 'ünïcödé' > "
        "'notes/日本.md' && mkdir -p runs/r1 && echo skip > runs/r1/out.txt");
    auto first = sync();
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json.at("success").as_bool(), true);
    EXPECT_EQ(str(first, "message"), "Snapshot created");
    std::string cid = str(first, "snapshotCid");
    std::string sha = str(first, "commitSha");
    EXPECT_EQ(cid.substr(0, 4), "bafy");
    EXPECT_EQ(sha.size(), 40u);
    EXPECT_EQ(cid, ReferenceCid(sha));
    EXPECT_NE(str(first, "changeSummary").find("files changed"), std::string::npos);
    EXPECT_EQ(first.json.at("lastSync").as_string().size(), 24u);

    // Nothing changed: the same snapshot, no new row.
    auto again = sync();
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(str(again, "message"), "No changes since the last snapshot");
    EXPECT_EQ(str(again, "snapshotCid"), cid);
    EXPECT_EQ(str(again, "commitSha"), sha);

    auto list = api->get(path());
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json.at("agentId").as_string(), id);
    const json::array& snapshots = list.json.at("snapshots").as_array();
    ASSERT_EQ(snapshots.size(), 1u);
    EXPECT_EQ(snapshots[0].at("snapshotCid").as_string(), cid);
    EXPECT_EQ(snapshots[0].at("commitSha").as_string(), sha);
    EXPECT_EQ(snapshots[0].at("agentId").as_string(), id);
    std::string diff(snapshots[0].at("contentDiff").as_string());
    EXPECT_NE(diff.find("+hello world"), std::string::npos) << diff;
    EXPECT_EQ(diff.find("runs/r1"), std::string::npos) << diff;

    auto agent = api->get("/v0/agents/" + id);
    ASSERT_EQ(agent.status, 200);
    EXPECT_EQ(agent.json.at("agent").at("snapshotCid").as_string(), cid);
    std::string manifest(agent.json.at("agent").at("fileManifest").as_string());
    EXPECT_NE(manifest.find("12 workspace/notes/a.txt\n"), std::string::npos) << manifest;

    auto status = api->get(path("/sync"));
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.json.at("configured").as_bool(), true);
    EXPECT_EQ(status.json.at("pendingChanges").as_bool(), false);
    Run("echo more > notes/b.txt");
    status = api->get(path("/sync"));
    EXPECT_EQ(status.json.at("pendingChanges").as_bool(), true);
    EXPECT_EQ(str(status, "message"), "Workspace has changes not yet snapshotted");
}

TEST_F(SnapshotsApi, ResetRestoresTheExactTreeTenTimesOver) {
    std::vector<std::pair<std::string, std::string>> taken;  // cid, tree hash
    for (int round = 0; round < 10; ++round) {
        Run("mkdir -p loop && echo round " + std::to_string(round) + " > loop/state.txt && " +
            "echo " + std::to_string(round) + " >> loop/log.txt && rm -f loop/gone-" +
            std::to_string(round - 1));
        Run("touch loop/gone-" + std::to_string(round));
        auto r = sync();
        ASSERT_EQ(r.status, 200) << r.body;
        taken.emplace_back(str(r, "snapshotCid"), TreeHash());
        // Change the tree, then go back to what was just taken.
        Run("echo changed > loop/state.txt && echo new > loop/extra.txt && rm loop/log.txt");
        ASSERT_NE(TreeHash(), taken.back().second);
        auto reset = api->post(path("/reset"), json::object{{"snapshotCid", taken.back().first}});
        ASSERT_EQ(reset.status, 200) << reset.body;
        EXPECT_EQ(str(reset, "snapshotCid"), taken.back().first);
        EXPECT_EQ(TreeHash(), taken.back().second) << "round " << round;
    }
    // An older snapshot too, by its CIDv1.
    auto reset = api->post(path("/reset"), json::object{{"snapshotCid", taken[2].first}});
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(TreeHash(), taken[2].second);
}

TEST_F(SnapshotsApi, ResetRefusesBadAndForeignCids) {
    auto first = sync();
    ASSERT_EQ(first.status, 200);
    auto missing = api->post(path("/reset"), json::object{});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.error(), "Invalid snapshot CID: snapshotCid is required");
    auto wrongType = api->post(path("/reset"), json::object{{"snapshotCid", 42}});
    EXPECT_EQ(wrongType.status, 400);
    auto malformed = api->post(path("/reset"), json::object{{"snapshotCid", "not-a-cid"}});
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(malformed.error(), "Invalid snapshot CID");
    auto traversal = api->post(path("/reset"), json::object{{"snapshotCid", "../../etc/passwd"}});
    EXPECT_EQ(traversal.status, 400);
    // A well-formed CID this agent never had (the `hello world` file's).
    auto foreign =
        api->post(path("/reset"),
                  json::object{{"snapshotCid",
                                "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"}});
    EXPECT_EQ(foreign.status, 404);
    EXPECT_EQ(foreign.error(), "Snapshot not found");

    // Another workspace sees nothing of this agent.
    ApiClient other(server->port(), server->createKey("other"));
    EXPECT_EQ(other.get(path()).status, 404);
    EXPECT_EQ(other.post(path("/sync"), std::string()).status, 404);
    EXPECT_EQ(
        other.post(path("/reset"), json::object{{"snapshotCid", str(first, "snapshotCid")}}).status,
        404);
    EXPECT_EQ(other.get(path("/" + str(first, "snapshotCid") + "/car")).status, 404);
    EXPECT_EQ(api->get("/v0/agents/xnotthere/snapshots").status, 404);
    EXPECT_EQ(anonymous->get(path()).status, 401);
}

TEST_F(SnapshotsApi, TheGatewayTokenWorksOnTheAgentsHost) {
    ApiClient gw(server->port(), gatewayToken(id), agentHost(id));
    auto r = gw.post(path("/sync"), std::string());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(gw.get(path()).json.at("snapshots").as_array().size(), 1u);
}

TEST_F(SnapshotsApi, ACarMovesAWorkspaceToAnotherServer) {
    Run("mkdir -p moved/deep && head -c 700000 /dev/urandom > moved/big.bin && echo hi > "
        "moved/deep/x.txt && ln -s deep/x.txt moved/link");
    auto first = sync();
    ASSERT_EQ(first.status, 200) << first.body;
    std::string cid = str(first, "snapshotCid");
    std::string hash = TreeHash();
    auto car = api->get(path("/" + cid + "/car"));
    ASSERT_EQ(car.status, 200) << car.body;
    EXPECT_EQ(car.headers["content-type"], "application/vnd.ipld.car; version=1");
    EXPECT_GT(car.body.size(), 700000u);
    EXPECT_EQ(
        api->get(path("/bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4/car")).status,
        404);
    EXPECT_EQ(api->get(path("/nonsense/car")).status, 400);

    // A second server, a fresh agent: import, and the tree is the same, bytes and CID.
    ServerProcess second;
    ApiClient api2(second.port(), second.createKey("default"));
    auto created =
        api2.post("/v0/agents", json::object{{"name", "Moved"}, {"engine", "test-http"}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id2(created.json.at("agent").at("agentId").as_string());
    auto imported = api2.post("/v0/agents/" + id2 + "/snapshots/import", car.body,
                              {{"Content-Type", "application/vnd.ipld.car"}});
    ASSERT_EQ(imported.status, 200) << imported.body;
    EXPECT_EQ(str(imported, "snapshotCid"), cid);
    auto list = api2.get("/v0/agents/" + id2 + "/snapshots");
    EXPECT_EQ(list.json.at("snapshots").as_array()[0].at("snapshotCid").as_string(), cid);

    auto bad = api2.post("/v0/agents/" + id2 + "/snapshots/import", car.body.substr(0, 500),
                         {{"Content-Type", "application/vnd.ipld.car"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.error().rfind("Invalid CAR", 0), 0u) << bad.body;
    std::string tampered = car.body;
    tampered[tampered.size() - 10] ^= 0x55;
    auto corrupt = api2.post("/v0/agents/" + id2 + "/snapshots/import", tampered,
                             {{"Content-Type", "application/vnd.ipld.car"}});
    EXPECT_EQ(corrupt.status, 400) << corrupt.body;
}

class AutoSnapshotsApi : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--snapshot-interval", "1"};
        return options;
    }
};

TEST_F(AutoSnapshotsApi, ChangedWorkspacesAreSnapshottedOnTheirOwn) {
    std::string id = createRunningAgent();
    auto r = exec(id, "echo auto > auto.txt");
    ASSERT_EQ(r.status, 200);
    std::string cid;
    for (int i = 0; i < 100 && cid.empty(); ++i) {
        auto agent = api->get("/v0/agents/" + id);
        const json::value& value = agent.json.at("agent").at("snapshotCid");
        if (value.is_string() && std::string(agent.json.at("agent").at("fileManifest").as_string())
                                         .find("workspace/auto.txt") != std::string::npos)
            cid = std::string(value.as_string());
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_FALSE(cid.empty()) << "no automatic snapshot within 20 s";
    // The snapshot survives a restart of the server, like everything else.
    server->restart();
    auto after = api->get("/v0/agents/" + id + "/snapshots");
    ASSERT_EQ(after.status, 200);
    EXPECT_EQ(after.json.at("snapshots").as_array()[0].at("snapshotCid").as_string(), cid);
}

}  // namespace
}  // namespace pinfold::testing
