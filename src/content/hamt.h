// UnixFS HAMT-sharded directories, as ipfs-unixfs-importer 17 (and go-unixfs) write them.
//
// Each shard node has 256 slots. A name's slot at level L is byte L of the big-endian h1 of
// murmur3-x64-128(name); after 8 levels the hash of name + one byte (the depth) supplies more
// bits. A slot with one entry links it as "<slot as 2 uppercase hex digits><name>"; a slot
// that several names share links a sub-shard named just "<slot>". Links are in slot order; the
// node's UnixFS data is type HAMTShard, hashType 0x22, fanout 256, and a bitfield of the used
// slots (big-endian, leading zero bytes dropped). Stateless; thread-safe when the sink is.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "content/blocks.h"
#include "content/unixfs_nodes.h"
#include "core/result.h"

namespace pinfold::content {

inline constexpr uint64_t kHamtFanout = 256;
inline constexpr uint64_t kHamtHashType = 0x22;  // multicodec murmur3-x64-64
inline constexpr size_t kHamtLabelLength = 2;    // hex digits of kHamtFanout - 1

// The slot of `name` at `level` (0 = the shard root).
uint8_t HamtSlot(std::string_view name, size_t level);

// Writes the shard root and all sub-shards for `children` (unique names, any order); returns the
// root as its parent links it.
Result<DagNode> PutHamtDirectory(const std::vector<NamedNode>& children, int cidVersion,
                                 BlockSink& sink);

}  // namespace pinfold::content
