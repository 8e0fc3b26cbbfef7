// UnixFS Data: the protobuf carried in a dag-pb node's Data field, saying what the node is
// (file, directory, HAMT shard, symlink...) and, for files, how many bytes each child holds.
//
//   message Data { required DataType Type = 1; optional bytes Data = 2; optional uint64 filesize =
//   3;
//                  repeated uint64 blocksizes = 4; optional uint64 hashType = 5;
//                  optional uint64 fanout = 6; optional uint32 mode = 7; optional UnixTime mtime =
//                  8; }
//
// Encoding writes fields in number order and omits unset ones, byte for byte as
// ipfs-unixfs does. Stateless, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pinfold::content {

enum class UnixFsType : uint8_t {
    kRaw = 0,
    kDirectory = 1,
    kFile = 2,
    kMetadata = 3,
    kSymlink = 4,
    kHamtShard = 5,
};

struct UnixFsData {
    UnixFsType type = UnixFsType::kFile;
    std::optional<std::string> data;  // file bytes, symlink target, or a HAMT shard's bitfield
    std::optional<uint64_t> fileSize;
    std::vector<uint64_t> blockSizes;
    std::optional<uint64_t> hashType;  // HAMT: 0x22, murmur3-x64-64
    std::optional<uint64_t> fanout;    // HAMT: slots per shard
    std::optional<uint32_t> mode;
    std::optional<std::string> mtime;  // the encoded UnixTime message, kept opaque
};

std::string EncodeUnixFsData(const UnixFsData& data);

// InvalidArgument "Invalid UnixFS data: <reason>" on malformed input or an unknown type.
Result<UnixFsData> DecodeUnixFsData(std::string_view bytes);

}  // namespace pinfold::content
