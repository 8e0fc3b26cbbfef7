// DirectoryTree: the folders of an import, filled entry by entry, then written bottom-up.
//
// It decides which folders become HAMT shards exactly as ipfs-unixfs-importer 17 does: after
// each entry is added, every folder on its path whose estimated size exceeds the threshold is
// marked sharded, for good. The estimate is the sum, over the folder's children that already
// have a CID (files, symlinks, folder entries not yet given children), of name bytes plus CID
// bytes; folders that have children count nothing until written. So the result depends on the
// order entries arrive in; the importer adds them in sorted path order. Not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "content/blocks.h"
#include "content/unixfs_nodes.h"
#include "core/result.h"

namespace pinfold::content {

class DirectoryTree {
  public:
    explicit DirectoryTree(size_t shardSplitThresholdBytes)
        : threshold_(shardSplitThresholdBytes), folders_(1) {}

    // Puts `node` (a file, symlink or empty folder) at `parts`, making the folders above it.
    // A folder node already at a parent position is replaced by a folder that has children.
    void Add(const std::vector<std::string_view>& parts, const DagNode& node);

    // Writes every folder, children before parents, and returns the root folder.
    Result<DagNode> Write(int cidVersion, BlockSink& sink) const;

  private:
    using Child = std::variant<DagNode, size_t>;  // a finished node, or an index in folders_
    struct Folder {
        size_t parent = 0;
        std::map<std::string, Child, std::less<>> children;  // byte order = dag-pb link order
        uint64_t estimate = 0;
        bool sharded = false;
    };

    Result<DagNode> WriteFolder(size_t index, int cidVersion, BlockSink& sink) const;

    const size_t threshold_;
    std::vector<Folder> folders_;  // [0] is the root
};

}  // namespace pinfold::content
