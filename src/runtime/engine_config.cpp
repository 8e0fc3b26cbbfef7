#include "runtime/engine_config.h"

#include <boost/json.hpp>

#include "sandbox/bwrap_launcher.h"
#include "sandbox/safe_files.h"

namespace pinfold::runtime {
namespace json = boost::json;
namespace {

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
    size_t at = 0;
    while ((at = text.find(from, at)) != std::string::npos) {
        text.replace(at, from.size(), to);
        at += to.size();
    }
}

json::object& ObjectAt(json::object& parent, const char* key) {
    json::value& v = parent[key];
    if (!v.is_object())
        v = json::object();
    return v.as_object();
}

constexpr size_t kMaxConfigBytes = 4 << 20;

}  // namespace

std::string OpenClawDefaultConfig(uint16_t port, const std::string& token) {
    json::object auth{{"mode", "token"}, {"token", token}};
    json::object gateway{{"mode", "local"}, {"port", port}, {"bind", "loopback"}, {"auth", auth}};
    json::object defaults{{"workspace", "/home/node/clawd/workspace"}};
    json::object agents{{"defaults", defaults}};
    json::object root{{"gateway", gateway}, {"agents", agents}};
    return json::serialize(root) + "\n";
}

Result<std::string> WithGatewayToken(const std::string& configText, const std::string& token) {
    json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    boost::system::error_code ec;
    json::value root = json::parse(configText, ec, {}, options);
    if (ec || !root.is_object()) {
        return Status::InvalidArgument("the config file is not plain JSON");
    }
    json::object& auth = ObjectAt(ObjectAt(root.as_object(), "gateway"), "auth");
    if (!auth.contains("mode"))
        auth["mode"] = "token";
    auth["token"] = token;
    return json::serialize(root) + "\n";
}

Status PrepareEngineConfig(const AgentLaunchSpec& spec) {
    const std::string& configPath = spec.engine.configPath;
    std::string home = std::string(sandbox::kSandboxHome) + "/";
    bool isOpenClaw = configPath.size() >= 13 &&
                      configPath.compare(configPath.size() - 13, 13, "openclaw.json") == 0;
    if (configPath.empty() || !isOpenClaw || configPath.rfind(home, 0) != 0)
        return Status::Ok();
    std::string relative = configPath.substr(home.size());

    Result<std::string> existing =
        sandbox::ReadFileInRoot(spec.homeDir, relative, spec.hostUid, kMaxConfigBytes);
    std::string text;
    if (existing.ok()) {
        PINFOLD_ASSIGN_OR_RETURN(text, WithGatewayToken(*existing, spec.gatewayToken));
        if (text == *existing)
            return Status::Ok();
    } else if (existing.status().IsNotFound()) {
        text = OpenClawDefaultConfig(spec.engine.port, spec.gatewayToken);
    } else {
        return existing.status();
    }
    Result<sandbox::WriteResult> written = sandbox::WriteFileInRoot(
        spec.homeDir, relative, spec.hostUid, text, sandbox::WriteMode::kCreateParents);
    return written.ok() ? Status::Ok() : written.status();
}

std::string ExpandPlaceholders(const std::string& text, uint16_t port, const std::string& token,
                               const std::string& version) {
    std::string out = text;
    ReplaceAll(out, "{port}", std::to_string(port));
    ReplaceAll(out, "{token}", token);
    ReplaceAll(out, "{version}", version);
    return out;
}

}  // namespace pinfold::runtime
