#include "content/exporter.h"

#include <unordered_set>

#include "content/dag_pb.h"
#include "content/hamt.h"
#include "content/unixfs.h"

namespace pinfold::content {
namespace {

Status Invalid(const std::string& reason) {
    return Status::InvalidArgument("Invalid UnixFS DAG: " + reason);
}

bool IsSafeName(std::string_view name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

bool IsUpperHex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

// A block, decoded: raw bytes, or a dag-pb node with its UnixFS data.
struct Node {
    Cid cid;
    std::string block;  // raw blocks only
    PBNode pb;
    UnixFsData unixfs;
    bool raw = false;
};

class TreeExporter {
  public:
    TreeExporter(const BlockSource& source, const ExportVisitor& visitor,
                 const ExportLimits& limits)
        : source_(source), visitor_(visitor), limits_(limits) {}

    Status Run(const Cid& root) {
        PINFOLD_ASSIGN_OR_RETURN(Node node, Load(root));
        if (!IsFolder(node))
            return Invalid("the root " + root.ToString() + " is not a folder");
        std::unordered_set<std::string> names;
        return ExportFolder(node, "", 0, names);
    }

  private:
    static bool IsFolder(const Node& n) {
        return !n.raw &&
               (n.unixfs.type == UnixFsType::kDirectory || n.unixfs.type == UnixFsType::kHamtShard);
    }

    Result<Node> Load(const Cid& cid) {
        if (++blocks_ > limits_.maxBlocks)
            return Status::TooLarge("Tree exceeds " + std::to_string(limits_.maxBlocks) +
                                    " blocks");
        PINFOLD_ASSIGN_OR_RETURN(std::string block, source_.get(cid));
        Node node;
        node.cid = cid;
        if (cid.codec() == kRawCodec) {
            node.raw = true;
            node.block = std::move(block);
            return node;
        }
        Result<PBNode> pb = DecodePBNode(block);
        if (!pb.ok())
            return Invalid(pb.status().message() + " (" + cid.ToString() + ")");
        if (!pb->data)
            return Invalid("node " + cid.ToString() + " has no UnixFS data");
        Result<UnixFsData> unixfs = DecodeUnixFsData(*pb->data);
        if (!unixfs.ok())
            return Invalid(unixfs.status().message() + " (" + cid.ToString() + ")");
        node.pb = std::move(*pb);
        node.unixfs = std::move(*unixfs);
        return node;
    }

    Status CheckDepth(size_t depth) const {
        if (depth > limits_.maxDepth)
            return Status::TooLarge("Tree exceeds " + std::to_string(limits_.maxDepth) + " levels");
        return Status::Ok();
    }

    // The entries of a folder node (flat or a HAMT shard at any level) into `names`.
    Status ExportFolder(const Node& folder, const std::string& path, size_t depth,
                        std::unordered_set<std::string>& names) {
        PINFOLD_TRY(CheckDepth(depth));
        if (folder.unixfs.type == UnixFsType::kDirectory) {
            for (const PBLink& link : folder.pb.links) {
                if (!link.name)
                    return Invalid("a link without a name in folder " + folder.cid.ToString());
                PINFOLD_TRY(ExportEntry(link.hash, *link.name, path, depth, folder.cid, names));
            }
            return Status::Ok();
        }
        const UnixFsData& shard = folder.unixfs;
        uint64_t fanout = shard.fanout.value_or(0);
        if (shard.hashType != kHamtHashType || fanout < 2 || fanout > 1024 ||
            (fanout & (fanout - 1)) != 0) {
            return Invalid("unsupported HAMT parameters in " + folder.cid.ToString());
        }
        size_t labelLength = 0;  // hex digits of fanout - 1
        for (uint64_t v = fanout - 1; v > 0; v >>= 4)
            ++labelLength;
        for (const PBLink& link : folder.pb.links) {
            std::string_view name = link.name ? std::string_view(*link.name) : "";
            if (name.size() < labelLength || !IsUpperHex(name.substr(0, labelLength)))
                return Invalid("a bad HAMT link name in " + folder.cid.ToString());
            if (name.size() > labelLength) {
                PINFOLD_TRY(ExportEntry(link.hash, std::string(name.substr(labelLength)), path,
                                        depth, folder.cid, names));
                continue;
            }
            PINFOLD_ASSIGN_OR_RETURN(Node sub, Load(link.hash));
            if (sub.raw || sub.unixfs.type != UnixFsType::kHamtShard)
                return Invalid("HAMT link to a non-shard in " + folder.cid.ToString());
            PINFOLD_TRY(ExportFolder(sub, path, depth + 1, names));
        }
        return Status::Ok();
    }

    Status ExportEntry(const Cid& cid, const std::string& name, const std::string& parent,
                       size_t parentDepth, const Cid& folder,
                       std::unordered_set<std::string>& names) {
        if (!IsSafeName(name))
            return Invalid("an unsafe name in folder " + folder.ToString());
        if (!names.insert(name).second)
            return Invalid("a duplicate name in folder " + folder.ToString());
        if (++entries_ > limits_.maxEntries)
            return Status::TooLarge("Tree exceeds " + std::to_string(limits_.maxEntries) +
                                    " entries");
        size_t depth = parentDepth + 1;
        PINFOLD_TRY(CheckDepth(depth));
        std::string path = parent.empty() ? name : parent + "/" + name;
        PINFOLD_ASSIGN_OR_RETURN(Node node, Load(cid));
        if (IsFolder(node)) {
            if (visitor_.directory)
                PINFOLD_TRY(visitor_.directory(path));
            std::unordered_set<std::string> childNames;
            return ExportFolder(node, path, depth, childNames);
        }
        if (!node.raw && node.unixfs.type == UnixFsType::kSymlink) {
            const std::string target = node.unixfs.data.value_or("");
            if (target.empty() || target.find('\0') != std::string::npos)
                return Invalid("a bad symlink target in " + cid.ToString());
            return visitor_.symlink ? visitor_.symlink(path, target) : Status::Ok();
        }
        if (!node.raw && node.unixfs.type != UnixFsType::kFile &&
            node.unixfs.type != UnixFsType::kRaw) {
            return Invalid("an unsupported node type in " + cid.ToString());
        }
        if (visitor_.beginFile)
            PINFOLD_TRY(visitor_.beginFile(path));
        PINFOLD_TRY(ExportFileNode(node, depth).status());
        return visitor_.endFile ? visitor_.endFile() : Status::Ok();
    }

    // Streams the bytes under a file node; returns how many there were.
    Result<uint64_t> ExportFileNode(const Node& node, size_t depth) {
        if (node.raw) {
            PINFOLD_TRY(Emit(node.block));
            return static_cast<uint64_t>(node.block.size());
        }
        if (node.unixfs.type != UnixFsType::kFile && node.unixfs.type != UnixFsType::kRaw)
            return Invalid("a non-file node inside file " + node.cid.ToString());
        uint64_t total = 0;
        if (node.unixfs.data) {
            PINFOLD_TRY(Emit(*node.unixfs.data));
            total += node.unixfs.data->size();
        }
        if (node.pb.links.size() != node.unixfs.blockSizes.size())
            return Invalid("blocksizes do not match the links of " + node.cid.ToString());
        for (size_t i = 0; i < node.pb.links.size(); ++i) {
            PINFOLD_TRY(CheckDepth(depth + 1));
            PINFOLD_ASSIGN_OR_RETURN(Node child, Load(node.pb.links[i].hash));
            PINFOLD_ASSIGN_OR_RETURN(uint64_t bytes, ExportFileNode(child, depth + 1));
            if (bytes != node.unixfs.blockSizes[i])
                return Invalid("a child's size differs from its blocksize in " +
                               node.cid.ToString());
            total += bytes;
        }
        if (node.unixfs.fileSize && *node.unixfs.fileSize != total)
            return Invalid("filesize differs from the content of " + node.cid.ToString());
        return total;
    }

    Status Emit(std::string_view bytes) {
        bytes_ += bytes.size();
        if (bytes_ > limits_.maxTotalBytes)
            return Status::TooLarge("Tree exceeds " + std::to_string(limits_.maxTotalBytes) +
                                    " bytes");
        return visitor_.fileData ? visitor_.fileData(bytes) : Status::Ok();
    }

    const BlockSource& source_;
    const ExportVisitor& visitor_;
    const ExportLimits& limits_;
    uint64_t bytes_ = 0;
    uint64_t entries_ = 0;
    uint64_t blocks_ = 0;
};

}  // namespace

Status ExportTree(const Cid& root, const BlockSource& source, const ExportVisitor& visitor,
                  const ExportLimits& limits) {
    return TreeExporter(source, visitor, limits).Run(root);
}

Status WalkDag(const Cid& root, const BlockSource& source,
               const std::function<Status(const Cid& cid, std::string_view block)>& visit) {
    std::unordered_set<Cid> seen;
    std::vector<Cid> stack{root};
    while (!stack.empty()) {
        Cid cid = stack.back();
        stack.pop_back();
        if (!seen.insert(cid).second)
            continue;
        PINFOLD_ASSIGN_OR_RETURN(std::string block, source.get(cid));
        PINFOLD_TRY(visit(cid, block));
        if (cid.codec() != kDagPbCodec)
            continue;
        PINFOLD_ASSIGN_OR_RETURN(PBNode node, DecodePBNode(block));
        for (auto it = node.links.rbegin(); it != node.links.rend(); ++it) {
            if (!seen.count(it->hash))
                stack.push_back(it->hash);
        }
    }
    return Status::Ok();
}

Result<std::vector<Cid>> CollectDag(const Cid& root, const BlockSource& source) {
    std::vector<Cid> cids;
    PINFOLD_TRY(WalkDag(root, source, [&](const Cid& cid, std::string_view) {
        cids.push_back(cid);
        return Status::Ok();
    }));
    return cids;
}

}  // namespace pinfold::content
