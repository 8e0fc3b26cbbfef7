// Reading a UnixFS DAG back: ExportTree walks a folder's DAG and hands every entry to a visitor,
// so a caller can restore the tree on disk; WalkDag and CollectDag list the blocks of any DAG
// (for CAR export).
//
// ExportTree treats the DAG as hostile input. It refuses names that could leave the folder or
// confuse a filesystem ('/', ".", "..", empty, NUL), duplicate names in a folder, file nodes whose
// sizes disagree with their children, unknown node types, and it stops at the limits below, which
// also bound DAGs that reuse one sub-DAG many times to look small. Symlink targets are passed on
// as stored (any string without NUL): the visitor must create them without following them.
// Stateless; thread-safe when the source is.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "content/blocks.h"
#include "content/cid.h"
#include "core/result.h"

namespace pinfold::content {

// Called in DAG order: a folder before its contents, each file as beginFile, its bytes in
// order through fileData, then endFile. Paths are relative to the root folder ("a/b.txt").
// An unset callback is skipped; an error from any callback stops the walk and is returned.
struct ExportVisitor {
    std::function<Status(const std::string& path)> directory;
    std::function<Status(const std::string& path, const std::string& target)> symlink;
    std::function<Status(const std::string& path)> beginFile;
    std::function<Status(std::string_view chunk)> fileData;
    std::function<Status()> endFile;
};

struct ExportLimits {
    uint64_t maxTotalBytes = 1ull << 30;  // file bytes, all files together
    uint64_t maxEntries = 1'000'000;      // files, folders and symlinks
    uint64_t maxBlocks = 10'000'000;      // block reads, counting each reuse of a block
    size_t maxDepth = 256;                // nesting of folders, shards and file nodes together
};

// Walks the folder at `root`. InvalidArgument "Invalid UnixFS DAG: <reason>" on a malformed or
// hostile DAG (the root not a folder included), TooLarge "Tree exceeds <limit>" when a limit is
// hit, NotFound for a missing block, or the visitor's error.
Status ExportTree(const Cid& root, const BlockSource& source, const ExportVisitor& visitor,
                  const ExportLimits& limits = {});

// Visits each block reachable from root once, depth-first in link order, root first: the order
// CAR files are written in. Stops at the first error (a missing block, an undecodable dag-pb
// node) or the first error `visit` returns.
Status WalkDag(const Cid& root, const BlockSource& source,
               const std::function<Status(const Cid& cid, std::string_view block)>& visit);

// Every CID WalkDag reaches, in its order.
Result<std::vector<Cid>> CollectDag(const Cid& root, const BlockSource& source);

}  // namespace pinfold::content
