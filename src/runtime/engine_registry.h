// EngineRegistry: the engines this server can run: the built-ins (OpenClaw, and Hermes when it
// is installed) plus those of an operator's engines file, which add engines or replace built-ins
// by id.
//
// The engines file (JSON):
//   {"engines": [{"id": "plain", "label": "Plain HTTP", "versions": ["1"],
//                 "command": ["python3", "-m", "http.server", "18789"], "port": 18789,
//                 "health": "/", "env": {}, "configPath": "",
//                 "mounts": [{"host": "/x", "sandbox": "/opt/x"}]}]}
// A relative "host" path is taken from the engines file's own folder. In "command" and "env",
// "{port}", "{token}" and "{version}" are expanded when an agent starts.
//
// Not thread-safe while loading; after that, const methods may be called from any thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/engine.h"

namespace pinfold::runtime {

// Where engines live inside every sandbox: the engines folder, mounted read-only.
inline constexpr const char* kEnginesMountPoint = "/opt/pinfold/engines";

// The pinned versions of the built-in OpenClaw engine and the Node.js that runs it.
inline constexpr const char* kOpenClawVersion = "2026.9.6";
inline constexpr const char* kNodeVersion = "24.22.3";

class EngineRegistry {
  public:
    // `enginesDir`: host folder with installed engines (see engine_installer.h).
    explicit EngineRegistry(std::string enginesDir);

    // Adds the engines of an engines file; an entry whose id is already known replaces it.
    // Errors name the file, the entry index and the field:
    //   InvalidArgument "engines.json: engines[1].port must be an integer from 1 to 65535".
    // Nothing is changed when the file has any error.
    Status loadFile(const std::string& path);

    // Built-ins first (openclaw, hermes), then the file's new engines in file order.
    const std::vector<EngineDefinition>& list() const { return engines_; }

    // The engine with this id, or nullptr. The pointer stays valid until the next loadFile().
    const EngineDefinition* find(const std::string& id) const;

    const std::string& enginesDir() const { return enginesDir_; }

  private:
    std::string enginesDir_;
    std::vector<EngineDefinition> engines_;
};

// The built-in OpenClaw definition for an engines folder (installed or not).
EngineDefinition OpenClawEngine(const std::string& enginesDir);
// Host paths of an OpenClaw install: its node binary and its openclaw.mjs.
std::string NodeBinaryPath(const std::string& enginesDir);
std::string OpenClawEntryPath(const std::string& enginesDir, const std::string& version);

}  // namespace pinfold::runtime
