// RunInAgentView: runs a host tool (git) on an agent's files inside a throwaway bubblewrap
// sandbox that sees what the agent's own sandbox sees (read-only system folders, its home at
// /home/node) plus the folders the caller binds, as the agent's unprivileged host uid with no
// network. So a planted symlink, git config or filter can never reach further than the agent
// already can, and the server's data stays out of sight.
//
// Thread-safe: each call forks its own bwrap.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/process_runner.h"

namespace pinfold::sandbox {

// A host folder bound at sandboxPath, read-write unless readOnly.
struct ToolBind {
    std::string hostPath;
    std::string sandboxPath;
    bool readOnly = false;
};

struct ToolSandboxSpec {
    uint32_t hostUid = 0;  // the agent's host uid; never 0
    std::string homeDir;   // bound at /home/node
    std::vector<ToolBind> binds;
    std::map<std::string, std::string> env;  // on top of HOME and PATH
    std::string cwd = "/home/node";
    // The server's own network (to fetch a template's repository); agents' tools never get it.
    bool shareNetwork = false;
};

// The bwrap options (before "--" and the command) for spec.
std::vector<std::string> BuildToolSandboxArgs(const ToolSandboxSpec& spec);

// Runs argv in the tool sandbox; `options` as for RunProcess (its env, cwd and runAsUid are
// set from spec). InvalidArgument for hostUid 0; NotFound when bwrap is missing.
Result<ProcessOutput> RunInAgentView(const ToolSandboxSpec& spec,
                                     const std::vector<std::string>& argv, RunOptions options);

}  // namespace pinfold::sandbox
