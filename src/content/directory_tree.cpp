#include "content/directory_tree.h"

#include "content/hamt.h"

namespace pinfold::content {
namespace {

uint64_t EstimateOf(std::string_view name, const DagNode& node) {
    return name.size() + node.cid.byteLength();
}

}  // namespace

void DirectoryTree::Add(const std::vector<std::string_view>& parts, const DagNode& node) {
    size_t folder = 0;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        auto it = folders_[folder].children.find(parts[i]);
        if (it != folders_[folder].children.end() && std::holds_alternative<size_t>(it->second)) {
            folder = std::get<size_t>(it->second);
            continue;
        }
        if (it != folders_[folder].children.end()) {
            folders_[folder].estimate -= EstimateOf(parts[i], std::get<DagNode>(it->second));
            folders_[folder].children.erase(it);
        }
        size_t created = folders_.size();
        folders_.push_back(Folder{folder, {}, 0, false});
        folders_[folder].children.emplace(std::string(parts[i]), created);
        folder = created;
    }

    std::string_view name = parts.back();
    Folder& parent = folders_[folder];
    auto it = parent.children.find(name);
    if (it != parent.children.end()) {
        if (const DagNode* old = std::get_if<DagNode>(&it->second))
            parent.estimate -= EstimateOf(name, *old);
        it->second = node;
    } else {
        parent.children.emplace(std::string(name), node);
    }
    parent.estimate += EstimateOf(name, node);

    for (size_t f = folder;; f = folders_[f].parent) {
        if (folders_[f].estimate > threshold_)
            folders_[f].sharded = true;
        if (f == 0)
            break;
    }
}

Result<DagNode> DirectoryTree::Write(int cidVersion, BlockSink& sink) const {
    return WriteFolder(0, cidVersion, sink);
}

Result<DagNode> DirectoryTree::WriteFolder(size_t index, int cidVersion, BlockSink& sink) const {
    const Folder& folder = folders_[index];
    std::vector<NamedNode> children;
    children.reserve(folder.children.size());
    for (const auto& [name, child] : folder.children) {
        if (const DagNode* node = std::get_if<DagNode>(&child)) {
            children.push_back({name, *node});
        } else {
            PINFOLD_ASSIGN_OR_RETURN(DagNode written,
                                     WriteFolder(std::get<size_t>(child), cidVersion, sink));
            children.push_back({name, written});
        }
    }
    if (folder.sharded)
        return PutHamtDirectory(children, cidVersion, sink);
    return PutFlatDirectory(children, cidVersion, sink);
}

}  // namespace pinfold::content
