// Handlers for §2 of the spec: console exec, file read and upload.
#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/text.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/console_service.h"
#include "services/file_service.h"

namespace pinfold::http {
namespace {

// Raw file bytes go out with a type browsers and curl understand; unknown -> octet-stream.
std::string ContentTypeForPath(std::string_view path) {
    static const std::pair<std::string_view, std::string_view> kTypes[] = {
        {".md", "text/markdown; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".json", "application/json"},
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
        {".pdf", "application/pdf"},
        {".yaml", "application/yaml"},
        {".yml", "application/yaml"},
        {".log", "text/plain; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".sh", "text/x-shellscript; charset=utf-8"},
        {".py", "text/x-python; charset=utf-8"},
    };
    size_t slash = path.find_last_of('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    size_t dot = name.find_last_of('.');
    if (dot != std::string_view::npos) {
        std::string ext(name.substr(dot));
        for (char& c : ext)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& [suffix, type] : kTypes) {
            if (ext == suffix)
                return std::string(type);
        }
    }
    return "application/octet-stream";
}

Response Exec(Services& s, HandlerContext& ctx) {
    const boost::json::object& body = ctx.request.json;
    services::ExecInput input;
    auto command = RequiredString(body, "command");
    if (!command.ok())
        return Response::Error(400, "Invalid command: command must be a string");
    input.command = *command;
    auto cwd = OptionalString(body, "cwd");
    if (!cwd.ok())
        return Response::Error(400, "Invalid command: cwd must be a string");
    input.cwd = *cwd;
    PINFOLD_HTTP_ASSIGN(input.timeoutMs, OptionalInt(body, "timeoutMs"));
    PINFOLD_HTTP_ASSIGN(auto outcome, s.console.exec(ctx.caller.workspace, AgentIdOf(ctx), input));
    // Programs write bytes, JSON carries text: invalid UTF-8 becomes U+FFFD.
    return JsonOk({{"stdout", ToValidUtf8(outcome.result.stdoutText)},
                   {"stderr", ToValidUtf8(outcome.result.stderrText)},
                   {"exitCode", outcome.result.exitCode},
                   {"command", outcome.command},
                   {"timestamp", FormatIso8601(outcome.timestampMs)},
                   {"truncated", outcome.result.truncated}});
}

Response ReadFile(Services& s, HandlerContext& ctx) {
    auto path = ctx.request.queryParam("path");
    if (!path || path->empty())
        return Response::Error(400, "Missing query parameter: path");
    PINFOLD_HTTP_ASSIGN(auto bytes, s.files.read(ctx.caller.workspace, AgentIdOf(ctx), *path));
    Response response;
    response.status = 200;
    response.contentType = ContentTypeForPath(*path);
    response.body = std::move(bytes);
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    // The bytes are the agent's: a browser may show them but never run them on our origin.
    response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    return response;
}

Response UploadFile(Services& s, HandlerContext& ctx) {
    const boost::json::object& body = ctx.request.json;
    PINFOLD_HTTP_ASSIGN(std::string filename, RequiredString(body, "filename"));
    PINFOLD_HTTP_ASSIGN(std::string content, RequiredString(body, "contentBase64"));
    PINFOLD_HTTP_ASSIGN(auto file,
                        s.files.upload(ctx.caller.workspace, AgentIdOf(ctx), filename, content));
    return JsonOk({{"path", file.path}, {"filename", file.filename}, {"size", file.size}});
}

}  // namespace

void AddConsoleRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    Route exec{Method::kPost,
               "/v0/agents/{agentId}/console/exec",
               AuthKind::kJwtOrGw,
               HostScope::kBoth,
               bind(Exec),
               "execCommand",
               "Run a shell command in the agent as its own user"};
    exec.jsonBody = true;
    exec.blocking = true;
    routes.push_back(exec);
    Route read{Method::kGet,
               "/v0/agents/{agentId}/files",
               AuthKind::kJwtOrGw,
               HostScope::kBoth,
               bind(ReadFile),
               "readFile",
               "Raw bytes of a file in the agent's view (?path=)"};
    read.blocking = true;
    routes.push_back(read);
    Route upload{Method::kPost,
                 "/v0/agents/{agentId}/files/upload",
                 AuthKind::kJwtOrGw,
                 HostScope::kBoth,
                 bind(UploadFile),
                 "uploadFile",
                 "Store a base64 file in workspace/uploads/"};
    upload.jsonBody = true;
    upload.blocking = true;
    upload.maxBodyBytes = 8 * 1024 * 1024;  // 5 MiB of file is ~6.7 MiB of base64
    routes.push_back(upload);
}

}  // namespace pinfold::http
