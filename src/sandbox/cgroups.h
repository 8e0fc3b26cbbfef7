// Cgroups: gives each agent sandbox its own cgroup below the server's own cgroup, applies memory
// and pids limits where a controller allows it, kills every process of the group, and removes it.
//
// Handles the three layouts seen in practice: pure v2 (production hosts), pure v1, and hybrid
// (v2 mounted only for grouping, limits from v1 controllers, as on the build machine). When the
// server cannot create groups at all (no permission, nothing mounted), support().supported is
// false with a reason, create() returns a group with no folders, and agents run without limits.
//
// Thread-safe after construction: methods only touch the given agent's own folders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pinfold::sandbox {

struct CgroupLimits {
    uint64_t memoryBytes = 0;  // 0 = no limit
    uint32_t pids = 0;         // 0 = no limit
};

struct CgroupSupport {
    bool supported = false;    // agents get their own groups (and can be killed as a group)
    bool memoryLimit = false;  // a memory controller is usable
    bool pidsLimit = false;    // a pids controller is usable
    std::string layout;        // "v2", "v1", "hybrid" or "none"
    std::string reason;        // what is missing and why; empty when everything works
};

// One agent's group: one folder per hierarchy in use.
struct AgentCgroup {
    std::vector<std::string> dirs;
    bool memoryLimited = false;
    bool pidsLimited = false;
    std::string note;  // why a requested limit was not applied; empty when all were

    // "<dir>/cgroup.procs" for every dir: a process joins the group by writing its pid to each.
    std::vector<std::string> procsFiles() const;
};

class CgroupManager {
  public:
    // Detects the layout from /proc/self/mountinfo and /proc/self/cgroup and creates the folder
    // "<server's cgroup>/<groupName>.<server pid>" in each usable hierarchy (the pid keeps two
    // servers or test processes apart). Folders left by servers that no longer run are removed.
    explicit CgroupManager(std::string groupName = "pinfold");
    // Removes the server's group folders when they are empty.
    ~CgroupManager();

    CgroupManager(const CgroupManager&) = delete;
    CgroupManager& operator=(const CgroupManager&) = delete;

    const CgroupSupport& support() const { return support_; }

    // Creates the agent's group (emptying a leftover one first) and applies `limits`. Limits that
    // cannot be applied are reported in AgentCgroup::note, not as an error.
    Result<AgentCgroup> create(const std::string& agentId, const CgroupLimits& limits) const;

    // SIGKILLs every process in the group and waits (up to ~2 s) until it is empty.
    Status killAll(const AgentCgroup& group) const;

    // killAll(), then removes the group's folders. NotFound-free: a missing folder is fine.
    Status remove(const AgentCgroup& group) const;

    // Host pids of the live processes in the group (every hierarchy, deduplicated, sorted;
    // zombies left out).
    std::vector<int> pids(const AgentCgroup& group) const;

    // The group folders that hold the agents' groups, one per hierarchy (for tests and logs).
    std::vector<std::string> baseDirs() const;

  private:
    struct Hierarchy {
        std::string ownDir;   // the server's own cgroup in this hierarchy
        std::string baseDir;  // ownDir/<groupName>.<pid>
        bool v2 = false;
        bool memory = false;  // apply memory limits here
        bool pids = false;    // apply pids limits here
    };

    void detect();
    void sweepStale(const Hierarchy& h) const;

    std::string groupName_;
    std::vector<Hierarchy> hierarchies_;
    CgroupSupport support_;
};

}  // namespace pinfold::sandbox
