#include "content/hamt.h"

#include <array>
#include <string>

#include "content/dag_pb.h"
#include "content/murmur3.h"
#include "content/unixfs.h"

namespace pinfold::content {
namespace {

// Levels beyond this mean two names whose hashes agree on 512 bits: not a real directory.
constexpr size_t kMaxLevels = 64;

uint64_t HashAtDepth(std::string_view name, size_t depth) {
    if (depth == 0)
        return Murmur3X64_128(name).h1;
    std::string extended(name);
    extended.push_back(static_cast<char>(depth & 0xff));
    return Murmur3X64_128(extended).h1;
}

uint8_t SlotFromHash(uint64_t h1, size_t level) {
    return static_cast<uint8_t>(h1 >> (56 - 8 * (level % 8)));
}

std::string Label(uint8_t slot) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    return {kHex[slot >> 4], kHex[slot & 15]};
}

// A child with its level-0 hash kept, since every level below 8 reuses it.
struct Entry {
    const NamedNode* child;
    uint64_t h1;
};

uint8_t SlotOf(const Entry& e, size_t level) {
    if (level < 8)
        return SlotFromHash(e.h1, level);
    return SlotFromHash(HashAtDepth(e.child->name, level / 8), level);
}

// Used slots as big-endian bytes (slot 0 is the lowest bit of the last byte), without leading
// zero bytes but never empty.
std::string Bitfield(const std::array<bool, kHamtFanout>& used) {
    std::string bytes(kHamtFanout / 8, '\0');
    for (size_t slot = 0; slot < kHamtFanout; ++slot) {
        if (used[slot])
            bytes[bytes.size() - 1 - slot / 8] |= static_cast<char>(1 << (slot % 8));
    }
    size_t first = 0;
    while (first + 1 < bytes.size() && bytes[first] == '\0')
        ++first;
    return bytes.substr(first);
}

Result<DagNode> PutShard(const std::vector<Entry>& entries, size_t level, int cidVersion,
                         BlockSink& sink) {
    if (level >= kMaxLevels)
        return Status::Internal("HAMT names collide beyond " + std::to_string(kMaxLevels) +
                                " levels");
    std::array<std::vector<Entry>, kHamtFanout> slots;
    for (const Entry& e : entries)
        slots[SlotOf(e, level)].push_back(e);

    PBNode node;
    std::array<bool, kHamtFanout> used{};
    for (size_t slot = 0; slot < kHamtFanout; ++slot) {
        const std::vector<Entry>& here = slots[slot];
        if (here.empty())
            continue;
        used[slot] = true;
        std::string label = Label(static_cast<uint8_t>(slot));
        if (here.size() == 1) {
            const NamedNode& child = *here[0].child;
            node.links.push_back({child.node.cid, label + child.name, child.node.tsize});
        } else {
            PINFOLD_ASSIGN_OR_RETURN(DagNode sub, PutShard(here, level + 1, cidVersion, sink));
            node.links.push_back({sub.cid, label, sub.tsize});
        }
    }
    UnixFsData data;
    data.type = UnixFsType::kHamtShard;
    data.data = Bitfield(used);
    data.hashType = kHamtHashType;
    data.fanout = kHamtFanout;
    node.data = EncodeUnixFsData(data);

    std::string block = EncodePBNode(node);
    Cid cid = DagPbCid(cidVersion, block);
    PINFOLD_TRY(sink.put(cid, block));
    uint64_t tsize = block.size();
    for (const PBLink& link : node.links)
        tsize += *link.tsize;
    return DagNode{cid, tsize};
}

}  // namespace

uint8_t HamtSlot(std::string_view name, size_t level) {
    return SlotFromHash(HashAtDepth(name, level / 8), level);
}

Result<DagNode> PutHamtDirectory(const std::vector<NamedNode>& children, int cidVersion,
                                 BlockSink& sink) {
    std::vector<Entry> entries;
    entries.reserve(children.size());
    for (const NamedNode& child : children)
        entries.push_back({&child, HashAtDepth(child.name, 0)});
    return PutShard(entries, 0, cidVersion, sink);
}

}  // namespace pinfold::content
