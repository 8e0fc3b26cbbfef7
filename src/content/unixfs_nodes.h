// Builders for the UnixFS nodes the importer writes: file leaves and interior nodes, empty and
// flat directories, symlinks. Each encodes its block exactly as ipfs-unixfs-importer 17 does,
// puts it into the sink and returns the node as its parent links to it. Stateless; thread-safe
// when the sink is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "content/blocks.h"
#include "content/cid.h"
#include "content/import_options.h"
#include "core/result.h"

namespace pinfold::content {

// A node as a parent links to it: its CID and Tsize (its block plus all blocks below it).
struct DagNode {
    Cid cid;
    uint64_t tsize = 0;
};

struct NamedNode {
    std::string name;
    DagNode node;
};

// A file's chunk as a leaf block, or a finished interior node: `fileBytes` is how many bytes
// of the file lie below it (the parent's blocksizes entry).
struct FileNode {
    DagNode node;
    uint64_t fileBytes = 0;
};

// The dag-pb CID under options.cidVersion.
Cid DagPbCid(int cidVersion, std::string_view block);

// One chunk as a raw block (rawLeaves) or a dag-pb UnixFS File node with the bytes inline.
Result<FileNode> PutFileLeaf(std::string_view chunk, const ImportOptions& options, BlockSink& sink);

// The file's root from its leaves in order: the leaf itself for a one-chunk file, else a
// balanced tree of UnixFS File nodes with at most maxChildrenPerNode links each.
Result<FileNode> PutFileTree(std::vector<FileNode> leaves, const ImportOptions& options,
                             BlockSink& sink);

Result<DagNode> PutEmptyDirectory(int cidVersion, BlockSink& sink);
Result<DagNode> PutSymlink(std::string_view target, int cidVersion, BlockSink& sink);
// `children` must be sorted by name bytes and have unique names.
Result<DagNode> PutFlatDirectory(const std::vector<NamedNode>& children, int cidVersion,
                                 BlockSink& sink);

}  // namespace pinfold::content
