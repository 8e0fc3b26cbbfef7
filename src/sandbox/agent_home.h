// PrepareAgentHome: readies an agent's home folder on the host before its sandbox starts.
//
// The server's data folder is root-owned, while bwrap runs as the agent's own unprivileged uid
// and must be able to reach the home to bind it. So: the home is owned by hostUid with mode
// 0700 (no other agent can look in), and every parent folder is made traversable (o+x, e.g.
// 0711) without becoming listable. Inside the home, clawd/workspace (the agent's repository
// root and workspace, /home/node/clawd/workspace in the sandbox) is created.
//
// Thread-safe (touches only the given folders); call it while the agent is not running.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace pinfold::sandbox {

// Creates `homeDir` (and missing parents, root-owned 0711), makes it hostUid's with mode 0700,
// and creates clawd/ and clawd/workspace/ in it. When the home was owned by another uid (the
// agent got a new uid), everything in it is handed to hostUid without following symlinks.
// InvalidArgument for hostUid 0 or a relative path; Internal when the filesystem refuses.
Status PrepareAgentHome(const std::string& homeDir, uint32_t hostUid);

// Makes every ancestor folder of `path` traversable by others (adds o+x, e.g. 0700 -> 0711),
// creating missing ones as root with mode 0711, so an agent's uid can reach `path` (to bind it).
Status MakeParentsTraversable(const std::string& path);

// chmod -R a+rX: every folder and file under `dir` (included) becomes readable by all, folders
// and already-executable files also executable. Symlinks are not followed.
Status MakeReadableByAll(const std::string& dir);

}  // namespace pinfold::sandbox
