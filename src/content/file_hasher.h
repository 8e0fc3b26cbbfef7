// FileHasher: turns many files into UnixFS file DAGs on several threads at once.
//
// Workers take whole files in order; a file larger than one segment (64 chunks) is split so
// that other workers hash its later segments while the first is still reading. Each worker
// reads with one large pread buffer, so memory stays at about threads x 4 MiB whatever the
// files' sizes. Blocks go to the sink as they are made. One Run at a time; the sink must be
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "content/blocks.h"
#include "content/import_options.h"
#include "content/unixfs_nodes.h"
#include "core/result.h"

namespace pinfold::content {

struct FileSource {
    std::string path;                   // for error messages
    std::function<Result<int>()> open;  // a readable fd of a regular file; closed by the hasher
};

struct HashedFile {
    DagNode node;
    uint64_t size = 0;
};

// One HashedFile per source, in the same order. Stops at the first error: a failed open, a file
// that is not regular, or a file whose size changed while it was read (Conflict).
Result<std::vector<HashedFile>> HashFiles(const std::vector<FileSource>& sources,
                                          const ImportOptions& options, BlockSink& sink);

}  // namespace pinfold::content
