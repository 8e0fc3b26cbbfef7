// Writing a UnixFS folder from the block store into an agent's home: a snapshot restored from
// blocks, a skill's files, a template's repository. Every file is made through
// AgentFileAccess, so with the agent's own rights and never outside its home; folders are made
// with the files in them (empty ones are not kept, as git keeps none).
//
// Thread-safe as AgentFileAccess is.
#pragma once

#include <string>
#include <string_view>

#include "content/cid.h"
#include "content/exporter.h"
#include "core/status.h"
#include "sandbox/safe_files.h"

namespace pinfold::services {

enum class TreeSymlinks {
    kCreate,  // made as they are (they resolve inside the agent's view only)
    kRefuse,  // InvalidArgument "<what> must not hold symlinks (<path>)"
};

struct TreeWriteOptions {
    content::ExportLimits limits;
    TreeSymlinks symlinks = TreeSymlinks::kCreate;
    std::string what = "The folder";  // names the tree in the symlink error
};

// Writes the tree at `root` below `prefix` (a home-relative folder ending in '/', e.g.
// "clawd/"), replacing files of the same names.
Status WriteTreeFromBlocks(sandbox::AgentFileAccess& files, const std::string& prefix,
                           const content::Cid& root, const content::BlockSource& blocks,
                           const TreeWriteOptions& options);

// write(2) until all of `data` is written; Internal "cannot write <what>: <reason>".
Status WriteAllToFd(int fd, std::string_view data, std::string_view what);

}  // namespace pinfold::services
