// EngineDefinition: how to start, reach and health-check one kind of agent engine (OpenClaw,
// Hermes, or an operator's own), as read from the engines file or built in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pinfold::runtime {

// A host folder made visible read-only inside every sandbox of this engine.
struct EngineMount {
    std::string hostPath;
    std::string sandboxPath;
};

struct EngineDefinition {
    std::string id;                     // "openclaw"
    std::string label;                  // "OpenClaw"
    std::vector<std::string> versions;  // newest first; versions[0] is the default
    std::vector<std::string> command;   // argv inside the sandbox; "{port}" and "{token}" expanded
    uint16_t port = 18789;              // the engine's gateway port inside the agent's netns
    std::string healthPath = "/healthz";
    std::string configPath;  // inside the sandbox, e.g. /home/node/.openclaw/openclaw.json
    std::map<std::string, std::string> env;  // "{token}" expanded to the gateway token
    std::vector<EngineMount> mounts;
    bool installed = true;         // false: listed, but agents cannot start until it is installed
    std::string notInstalledHint;  // shown in the agent's logs when !installed
};

}  // namespace pinfold::runtime
