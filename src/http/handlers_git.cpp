// Handlers for §13 of the spec: git smart HTTP (clone, fetch, push) of an agent's workspace.
#include <strings.h>

#include "http/handler_util.h"
#include "http/routes.h"
#include "services/git_http_service.h"

namespace pinfold::http {
namespace {

bool NameIs(std::string_view name, std::string_view expected) {
    return name.size() == expected.size() &&
           strncasecmp(name.data(), expected.data(), name.size()) == 0;
}

// Hands the request to git (pathInfo: what follows /git in the path) and git's answer back.
Response ServeGit(Services& s, HandlerContext& ctx, std::string pathInfo) {
    Request& request = ctx.request;
    services::GitHttpRequest git;
    // HEAD reaches the GET route; git answers it as a GET and the server drops the body.
    git.method = request.method == Method::kPost ? "POST" : "GET";
    git.pathInfo = std::move(pathInfo);
    size_t query = request.target.find('?');
    if (query != std::string::npos)
        git.queryString = request.target.substr(query + 1);
    git.contentType = request.header("content-type").value_or("");
    git.contentEncoding = request.header("content-encoding").value_or("");
    git.gitProtocol = request.header("git-protocol").value_or("");
    git.body = std::move(request.body);
    PINFOLD_HTTP_ASSIGN(services::GitHttpResponse answer,
                        s.git.serve(ctx.caller.workspace, AgentIdOf(ctx), std::move(git)));

    Response response;
    response.status = answer.status;
    response.contentType.clear();
    bool cacheControl = false;
    for (auto& [name, value] : answer.headers) {
        if (NameIs(name, "Content-Type")) {
            response.contentType = std::move(value);
            continue;
        }
        cacheControl = cacheControl || NameIs(name, "Cache-Control");
        response.headers.emplace_back(std::move(name), std::move(value));
    }
    // Refs change with every push: no proxy or client may answer from a cache.
    if (!cacheControl)
        response.headers.emplace_back("Cache-Control", "no-cache");
    response.body = std::move(answer.body);
    return response;
}

Response InfoRefs(Services& s, HandlerContext& ctx) {
    return ServeGit(s, ctx, "/info/refs");
}

Response UploadPack(Services& s, HandlerContext& ctx) {
    return ServeGit(s, ctx, "/git-upload-pack");
}

Response ReceivePack(Services& s, HandlerContext& ctx) {
    return ServeGit(s, ctx, "/git-receive-pack");
}

}  // namespace

void AddGitRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    Route refs{Method::kGet,
               "/v0/agents/{agentId}/git/info/refs",
               AuthKind::kGitBasic,
               HostScope::kBoth,
               bind(InfoRefs),
               "gitInfoRefs",
               "Git smart HTTP: the refs (?service=git-upload-pack or git-receive-pack)"};
    refs.blocking = true;
    routes.push_back(refs);
    Route upload{Method::kPost,
                 "/v0/agents/{agentId}/git/git-upload-pack",
                 AuthKind::kGitBasic,
                 HostScope::kBoth,
                 bind(UploadPack),
                 "gitUploadPack",
                 "Git smart HTTP: clone and fetch the agent's workspace"};
    upload.blocking = true;
    // What git http-backend buffers of a fetch's negotiation at most (GIT_HTTP_MAX_REQUEST_BUFFER).
    upload.maxBodyBytes = 10 * 1024 * 1024;
    routes.push_back(upload);
    Route receive{Method::kPost,
                  "/v0/agents/{agentId}/git/git-receive-pack",
                  AuthKind::kGitBasic,
                  HostScope::kBoth,
                  bind(ReceivePack),
                  "gitReceivePack",
                  "Git smart HTTP: push to the agent's workspace"};
    receive.blocking = true;
    receive.maxBodyBytes = kGitPushMaxBodyBytes;
    routes.push_back(receive);
}

}  // namespace pinfold::http
