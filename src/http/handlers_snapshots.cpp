// Handlers for §8 of the spec (snapshots) and the CAR export/import beyond it.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/clock.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/snapshot_service.h"

namespace pinfold::http {
namespace {

constexpr size_t kMaxCarUploadBytes = 256 << 20;

boost::json::value TimeOrNull(const std::optional<int64_t>& epochMs) {
    if (!epochMs)
        return nullptr;
    return boost::json::string(FormatIso8601(*epochMs));
}

boost::json::object SnapshotToJson(const store::SnapshotRecord& r, const std::string& userId) {
    return {{"agentId", r.agentId},
            {"snapshotCid", r.cid},
            {"userId", userId},
            {"commitSha", r.commitSha},
            {"changeSummary", r.changeSummary},
            {"contentDiff", r.contentDiff},
            {"createdAt", FormatIso8601(r.createdAtMs)}};
}

// The response of a sync and of an import: what the workspace's newest snapshot is now.
boost::json::object SyncToJson(const services::SyncOutcome& outcome, std::string message) {
    boost::json::object o{{"success", true},
                          {"message", std::move(message)},
                          {"lastSync", FormatIso8601(outcome.lastSyncMs)},
                          {"snapshotCid", outcome.snapshot.cid},
                          {"commitSha", outcome.snapshot.commitSha},
                          {"changeSummary", outcome.snapshot.changeSummary}};
    if (!outcome.stillChanging.empty()) {
        std::string details =
            "Files changed while being snapshotted (this snapshot may hold "
            "them half-written; sync again): ";
        for (size_t i = 0; i < outcome.stillChanging.size(); ++i)
            details += (i ? ", " : "") + outcome.stillChanging[i];
        o["details"] = details;
    }
    return o;
}

Response ListSnapshots(Services& s, HandlerContext& ctx) {
    std::string agentId = AgentIdOf(ctx);
    PINFOLD_HTTP_ASSIGN(auto records, s.snapshots.list(ctx.caller.workspace, agentId));
    boost::json::array list;
    for (const auto& r : records)
        list.push_back(SnapshotToJson(r, ctx.caller.userId));
    return JsonOk({{"agentId", agentId}, {"snapshots", std::move(list)}});
}

Response SyncStatus(Services& s, HandlerContext& ctx) {
    std::string agentId = AgentIdOf(ctx);
    PINFOLD_HTTP_ASSIGN(auto state, s.snapshots.state(ctx.caller.workspace, agentId));
    std::string message =
        state.pendingChanges ? "Workspace has changes not yet snapshotted" : "Workspace is in sync";
    boost::json::value cid = nullptr;
    if (state.snapshotCid)
        cid = boost::json::string(*state.snapshotCid);
    return JsonOk({{"agentId", agentId},
                   {"configured", true},
                   {"lastSync", TimeOrNull(state.lastSyncMs)},
                   {"snapshotCid", cid},
                   {"pendingChanges", state.pendingChanges},
                   {"message", message}});
}

Response Sync(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto outcome, s.snapshots.sync(ctx.caller.workspace, AgentIdOf(ctx)));
    return JsonOk(SyncToJson(
        outcome, outcome.created ? "Snapshot created" : "No changes since the last snapshot"));
}

Response Reset(Services& s, HandlerContext& ctx) {
    auto cid = OptionalString(ctx.request.json, "snapshotCid");
    if (!cid.ok() || !*cid || (*cid)->empty())
        return Response::Error(400, "Invalid snapshot CID: snapshotCid is required");
    PINFOLD_HTTP_ASSIGN(auto outcome,
                        s.snapshots.reset(ctx.caller.workspace, AgentIdOf(ctx), **cid));
    return JsonOk({{"success", true},
                   {"message", "Workspace reset to snapshot " + outcome.snapshotCid +
                                   (outcome.fromBlocks ? " (restored from blocks)" : "")},
                   {"snapshotCid", outcome.snapshotCid},
                   {"commitSha", outcome.commitSha}});
}

Response ExportCar(Services& s, HandlerContext& ctx) {
    std::string cid(ctx.request.pathParam("cid"));
    Response response;
    response.contentType = "application/vnd.ipld.car; version=1";
    PINFOLD_HTTP_TRY(s.snapshots.exportCar(ctx.caller.workspace, AgentIdOf(ctx), cid,
                                           [&](std::string_view bytes) {
                                               response.body.append(bytes);
                                               return Status::Ok();
                                           }));
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + cid + ".car\"");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return response;
}

Response ImportCar(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto outcome, s.snapshots.importCar(ctx.caller.workspace, AgentIdOf(ctx),
                                                            ctx.request.body));
    return JsonOk(SyncToJson(outcome, "Workspace restored from the CAR"));
}

}  // namespace

void AddSnapshotRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    auto add = [&](Method method, const char* pattern, ServiceHandler fn, const char* name,
                   const char* summary) -> Route& {
        Route route{method, pattern, AuthKind::kJwtOrGw, HostScope::kBoth, bind(fn), name, summary};
        route.blocking = true;
        routes.push_back(route);
        return routes.back();
    };
    add(Method::kGet, "/v0/agents/{agentId}/snapshots", ListSnapshots, "listSnapshots",
        "The newest 10 snapshots of the agent's workspace, newest first");
    add(Method::kGet, "/v0/agents/{agentId}/snapshots/sync", SyncStatus, "getSnapshotSync",
        "Whether the workspace has changes no snapshot holds yet");
    add(Method::kPost, "/v0/agents/{agentId}/snapshots/sync", Sync, "syncSnapshot",
        "Commit and snapshot the workspace now (returns the newest when nothing changed)");
    add(Method::kPost, "/v0/agents/{agentId}/snapshots/reset", Reset, "resetSnapshot",
        "Restore the workspace to a snapshot of this agent's history ({snapshotCid})")
        .jsonBody = true;
    add(Method::kGet, "/v0/agents/{agentId}/snapshots/{cid}/car", ExportCar, "exportSnapshotCar",
        "A CARv1 of a snapshot of this agent (application/vnd.ipld.car)");
    Route& import =
        add(Method::kPost, "/v0/agents/{agentId}/snapshots/import", ImportCar, "importSnapshotCar",
            "Restore the workspace from a CARv1 body (e.g. exported by another "
            "Pinfold server) and record it as a snapshot");
    import.maxBodyBytes = kMaxCarUploadBytes;
}

}  // namespace pinfold::http
