#include "services/git_http_service.h"

#include <strings.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "core/text.h"
#include "services/workspace_git.h"

namespace pinfold::services {
namespace {

enum class GitProgram { kUploadPack, kReceivePack };

struct Exchange {
    GitProgram program;
    bool advertisement;  // GET /info/refs: the refs and capabilities, before any pack
};

std::optional<GitProgram> ProgramNamed(std::string_view name) {
    if (name == "git-upload-pack")
        return GitProgram::kUploadPack;
    if (name == "git-receive-pack")
        return GitProgram::kReceivePack;
    return std::nullopt;
}

// The program the `service` parameter of a ref advertisement names. Without one, git would
// answer in the dumb protocol, which is not served.
std::optional<GitProgram> ServiceParameter(std::string_view query) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        constexpr std::string_view kKey = "service=";
        if (pair.substr(0, kKey.size()) == kKey)
            return ProgramNamed(pair.substr(kKey.size()));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

Result<Exchange> Classify(const GitHttpRequest& request) {
    if (request.method == "GET" && request.pathInfo == "/info/refs") {
        if (auto program = ServiceParameter(request.queryString))
            return Exchange{*program, true};
    } else if (request.method == "POST" && request.pathInfo.size() > 1) {
        if (auto program = ProgramNamed(std::string_view(request.pathInfo).substr(1)))
            return Exchange{*program, false};
    }
    return Status::NotFound("Not found");
}

std::string_view ProgramName(GitProgram program) {
    return program == GitProgram::kUploadPack ? "git-upload-pack" : "git-receive-pack";
}

// Git-Protocol holds `key=value` pairs joined by ':' ("version=2"); a value that cannot be one is
// dropped instead of being handed to git.
bool PlausibleGitProtocol(std::string_view value) {
    if (value.empty() || value.size() > 256)
        return false;
    for (char c : value) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '=' || c == ':' || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool NameIs(std::string_view name, std::string_view expected) {
    return name.size() == expected.size() &&
           strncasecmp(name.data(), expected.data(), name.size()) == 0;
}

// Headers that frame the message: the server writes its own.
bool IsFramingHeader(std::string_view name) {
    return NameIs(name, "Content-Length") || NameIs(name, "Transfer-Encoding") ||
           NameIs(name, "Connection");
}

std::map<std::string, std::string> CgiEnvironment(const GitHttpRequest& request,
                                                  const Exchange& exchange) {
    // http-backend finds the repository from PATH_TRANSLATED (or GIT_PROJECT_ROOT + PATH_INFO),
    // never from GIT_DIR, which it replaces once it has entered the repository.
    std::map<std::string, std::string> env = {
        {"PATH_TRANSLATED", std::string(kGitDirInside) + request.pathInfo},
        {"PATH_INFO", request.pathInfo},
        {"REQUEST_METHOD", request.method},
        // Every agent's repository is served; the caller was authenticated before.
        {"GIT_HTTP_EXPORT_ALL", "1"},
    };
    if (exchange.advertisement) {
        // Rebuilt from the one parameter that was checked, so nothing else reaches git.
        env["QUERY_STRING"] = "service=" + std::string(ProgramName(exchange.program));
    } else {
        env["QUERY_STRING"] = "";
        env["CONTENT_TYPE"] = request.contentType;
        env["CONTENT_LENGTH"] = std::to_string(request.body.size());
        if (!request.contentEncoding.empty())
            env["HTTP_CONTENT_ENCODING"] = request.contentEncoding;
    }
    if (PlausibleGitProtocol(request.gitProtocol))
        env["GIT_PROTOCOL"] = request.gitProtocol;
    return env;
}

}  // namespace

Result<GitHttpResponse> ParseCgiOutput(std::string output) {
    GitHttpResponse response;
    size_t pos = 0;
    while (true) {
        size_t end = output.find('\n', pos);
        if (end == std::string::npos)
            return Status::Internal("git http-backend's answer has no end of headers");
        std::string_view line(output.data() + pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            break;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return Status::Internal("git http-backend sent a malformed header line");
        std::string_view name = line.substr(0, colon);
        std::string_view value = TrimAscii(line.substr(colon + 1));
        if (NameIs(name, "Status")) {
            int code = 0;
            auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), code);
            if (ec != std::errc() || code < 100 || code > 599)
                return Status::Internal("git http-backend sent a malformed Status header");
            response.status = code;
        } else if (!IsFramingHeader(name)) {
            response.headers.emplace_back(std::string(name), std::string(value));
        }
    }
    output.erase(0, pos);
    response.body = std::move(output);
    return response;
}

GitHttpService::GitHttpService(AgentService& agents, DataLayout layout, RepositoryGuard guard,
                               PushHook afterPush, GitHttpOptions options)
    : agents_(agents),
      layout_(std::move(layout)),
      guard_(std::move(guard)),
      afterPush_(std::move(afterPush)),
      options_(options) {}

Result<GitHttpResponse> GitHttpService::serve(const std::string& workspace,
                                              const std::string& agentId, GitHttpRequest request) {
    PINFOLD_ASSIGN_OR_RETURN(Exchange exchange, Classify(request));
    PINFOLD_ASSIGN_OR_RETURN(AgentView agent, agents_.get(workspace, agentId));
    const store::AgentRecord& record = agent.record;
    WorkspaceGit git(layout_.agentRepository(record.id), layout_.agentHome(record.id),
                     record.hostUid);
    PINFOLD_TRY(git.ensureInitialized());

    const bool push = exchange.program == GitProgram::kReceivePack && !exchange.advertisement;
    Result<GitHttpResponse> response = Status::Internal("git did not run");
    // Refs git refused still come in a 200 answer; only a moved HEAD means new files.
    bool headMoved = false;
    auto runBackend = [&]() -> Result<bool> {
        std::optional<std::string> headBefore;
        if (push) {
            PINFOLD_ASSIGN_OR_RETURN(headBefore, git.head());
        }
        std::map<std::string, std::string> env = CgiEnvironment(request, exchange);
        sandbox::RunOptions options;
        options.timeout = options_.timeout;
        options.maxOutputBytes = options_.maxOutputBytes;
        options.stdinData = std::move(request.body);
        PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out,
                                 git.run({"http-backend"}, env, std::move(options)));
        if (out.timedOut) {
            auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
            return Status::Timeout("git timed out after " + std::to_string(seconds.count()) + " s");
        }
        if (out.truncated) {
            return Status::Internal("git's answer is larger than " +
                                    std::to_string(options_.maxOutputBytes) + " bytes");
        }
        response = ParseCgiOutput(std::move(out.stdoutText));
        if (!response.ok()) {
            return Status::Internal("git http-backend failed (exit " +
                                    std::to_string(out.exitCode) +
                                    "): " + std::string(TrimAscii(out.stderrText)));
        }
        // Refs git refused are reported inside a 200 answer; the snapshot then finds nothing new.
        bool accepted = out.exitCode == 0 && response->status == 200;
        if (push && accepted) {
            // When HEAD cannot be read back, building once too often is the safe side.
            Result<std::optional<std::string>> headAfter = git.head();
            headMoved = !headAfter.ok() || *headAfter != headBefore;
        }
        return accepted;
    };
    // Advertising refs is where every clone, fetch and push starts: commit first, so the clone
    // sees the workspace and a stale push fails as "fetch first". The push itself commits again,
    // for what changed since its advertisement. A fetch's pack request needs no guard.
    if (exchange.advertisement || push)
        PINFOLD_TRY(guard_(record, push, runBackend));
    else
        PINFOLD_TRY(runBackend().status());
    if (headMoved)
        afterPush_(record);
    return response;
}

}  // namespace pinfold::services
