// GitHttpService: git's smart HTTP protocol for an agent's workspace repository (clone, fetch,
// push), answered by `git http-backend` run through WorkspaceGit, so git works as the agent's uid
// in a tool sandbox. It never sees HTTP types: the handler passes the request's parts in and
// writes the parsed CGI answer out.
//
// Every ref advertisement (the start of each clone, fetch, ls-remote and push) and every push
// runs inside the repository guard (SnapshotService::guardRepository), which first commits what
// the agent changed, so a clone sees the workspace as it is and a push from a stale clone is
// refused as non-fast-forward, and which snapshots the tree a push brought.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "services/agent_service.h"
#include "services/data_layout.h"
#include "store/agent_repository.h"

namespace pinfold::services {

struct GitHttpRequest {
    std::string method;           // "GET" or "POST"
    std::string pathInfo;         // below .../git: "/info/refs", "/git-upload-pack", ...
    std::string queryString;      // as sent, without '?': "service=git-upload-pack"
    std::string contentType;      // "application/x-git-upload-pack-request"
    std::string contentEncoding;  // "gzip" when git compressed the body
    std::string gitProtocol;      // the Git-Protocol header ("version=2"), or empty
    std::string body;
};

struct GitHttpResponse {
    int status = 200;
    // git's headers (Content-Type, Cache-Control, ...), without Status and the message framing
    // (Content-Length, Transfer-Encoding, Connection), which the server writes itself.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct GitHttpOptions {
    // One git exchange: a push's pack of hundreds of MB on a slow disk still fits.
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    // git's answer is held in memory whole: a clone's pack is the largest.
    size_t maxOutputBytes = size_t{1} << 30;
};

class GitHttpService {
  public:
    // Runs `exchange` with the agent's repository to itself, after committing the agent's pending
    // changes; `write`: the exchange is a push, and returns true when git accepted it.
    using RepositoryGuard = std::function<Status(const store::AgentRecord& agent, bool write,
                                                 const std::function<Result<bool>()>& exchange)>;
    // Told of each push that moved the checked-out branch (the work tree changed), once the
    // guard returned; the agent's build runs after it.
    using PushHook = std::function<void(const store::AgentRecord& agent)>;

    GitHttpService(AgentService& agents, DataLayout layout, RepositoryGuard guard,
                   PushHook afterPush, GitHttpOptions options = {});

    // git's answer, its own errors included (e.g. 415 for a wrong content type). NotFound for an
    // agent the workspace does not have, and for anything but the smart protocol's three
    // exchanges: GET /info/refs?service=git-upload-pack|git-receive-pack, POST /git-upload-pack,
    // POST /git-receive-pack. Timeout when git runs longer than options.timeout.
    Result<GitHttpResponse> serve(const std::string& workspace, const std::string& agentId,
                                  GitHttpRequest request);

  private:
    AgentService& agents_;
    const DataLayout layout_;
    const RepositoryGuard guard_;
    const PushHook afterPush_;
    const GitHttpOptions options_;
};

// Splits a CGI program's output: headers (a `Status: 404 Not Found` line sets the status, 200
// without one), a blank line, then the body. Internal when there is no blank line or a header
// line has no colon.
Result<GitHttpResponse> ParseCgiOutput(std::string output);

}  // namespace pinfold::services
