#include "content/unixfs_nodes.h"

#include "content/dag_pb.h"
#include "content/unixfs.h"

namespace pinfold::content {
namespace {

Result<DagNode> PutDagPb(const PBNode& node, int cidVersion, BlockSink& sink) {
    std::string block = EncodePBNode(node);
    Cid cid = DagPbCid(cidVersion, block);
    PINFOLD_TRY(sink.put(cid, block));
    uint64_t tsize = block.size();
    for (const PBLink& link : node.links)
        tsize += link.tsize.value_or(0);
    return DagNode{cid, tsize};
}

PBNode DataOnlyNode(const UnixFsData& data) {
    PBNode node;
    node.data = EncodeUnixFsData(data);
    return node;
}

// One interior File node over `children` (consecutive leaves or interior nodes).
Result<FileNode> PutFileInterior(const FileNode* children, size_t count,
                                 const ImportOptions& options, BlockSink& sink) {
    UnixFsData data;
    data.type = UnixFsType::kFile;
    PBNode node;
    uint64_t fileBytes = 0;
    for (size_t i = 0; i < count; ++i) {
        data.blockSizes.push_back(children[i].fileBytes);
        fileBytes += children[i].fileBytes;
        node.links.push_back({children[i].node.cid, std::string(), children[i].node.tsize});
    }
    data.fileSize = fileBytes;
    node.data = EncodeUnixFsData(data);
    PINFOLD_ASSIGN_OR_RETURN(DagNode put, PutDagPb(node, options.cidVersion, sink));
    return FileNode{put, fileBytes};
}

}  // namespace

Cid DagPbCid(int cidVersion, std::string_view block) {
    return cidVersion == 0 ? Cid::ForBlockV0(block) : Cid::ForBlock(kDagPbCodec, block);
}

Result<FileNode> PutFileLeaf(std::string_view chunk, const ImportOptions& options,
                             BlockSink& sink) {
    if (options.rawLeaves) {
        Cid cid = Cid::ForBlock(kRawCodec, chunk);
        PINFOLD_TRY(sink.put(cid, chunk));
        return FileNode{DagNode{cid, chunk.size()}, chunk.size()};
    }
    UnixFsData data;
    data.type = UnixFsType::kFile;
    if (!chunk.empty())
        data.data = std::string(chunk);
    data.fileSize = chunk.size();
    PINFOLD_ASSIGN_OR_RETURN(DagNode put, PutDagPb(DataOnlyNode(data), options.cidVersion, sink));
    return FileNode{put, chunk.size()};
}

Result<FileNode> PutFileTree(std::vector<FileNode> leaves, const ImportOptions& options,
                             BlockSink& sink) {
    if (leaves.size() == 1)
        return leaves[0];
    // Each pass groups a level into nodes of maxChildrenPerNode links, until one node remains;
    // a lone trailing group still gets its own node, as the balanced layout does.
    std::vector<FileNode> level = std::move(leaves);
    while (true) {
        std::vector<FileNode> parents;
        for (size_t i = 0; i < level.size(); i += options.maxChildrenPerNode) {
            size_t count = std::min(options.maxChildrenPerNode, level.size() - i);
            PINFOLD_ASSIGN_OR_RETURN(FileNode parent,
                                     PutFileInterior(&level[i], count, options, sink));
            parents.push_back(parent);
        }
        if (parents.size() == 1)
            return parents[0];
        level = std::move(parents);
    }
}

Result<DagNode> PutEmptyDirectory(int cidVersion, BlockSink& sink) {
    UnixFsData data;
    data.type = UnixFsType::kDirectory;
    return PutDagPb(DataOnlyNode(data), cidVersion, sink);
}

Result<DagNode> PutSymlink(std::string_view target, int cidVersion, BlockSink& sink) {
    UnixFsData data;
    data.type = UnixFsType::kSymlink;
    if (!target.empty())
        data.data = std::string(target);
    return PutDagPb(DataOnlyNode(data), cidVersion, sink);
}

Result<DagNode> PutFlatDirectory(const std::vector<NamedNode>& children, int cidVersion,
                                 BlockSink& sink) {
    UnixFsData data;
    data.type = UnixFsType::kDirectory;
    PBNode node;
    node.links.reserve(children.size());
    for (const NamedNode& child : children)
        node.links.push_back({child.node.cid, child.name, child.node.tsize});
    node.data = EncodeUnixFsData(data);
    return PutDagPb(node, cidVersion, sink);
}

}  // namespace pinfold::content
