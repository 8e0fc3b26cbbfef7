// dag-pb (codec 0x70): the protobuf node format UnixFS is written in.
//
//   message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3;
//   } message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }
//
// Encoding is canonical as the dag-pb spec requires: Links (field 2) before Data (field 1), each
// link's fields in ascending order, links in the order given (callers sort directory links by
// name bytes). Decoding is strict in the same way (field order, no duplicates, no unknown fields,
// every link has a Hash that is a CID Pinfold accepts), so a block has one reading.
// Stateless, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/cid.h"
#include "core/result.h"

namespace pinfold::content {

struct PBLink {
    Cid hash;
    std::optional<std::string> name;
    std::optional<uint64_t> tsize;
};

struct PBNode {
    std::vector<PBLink> links;
    std::optional<std::string> data;
};

std::string EncodePBNode(const PBNode& node);

// InvalidArgument "Invalid dag-pb block: <reason>" unless `block` is a canonical PBNode.
Result<PBNode> DecodePBNode(std::string_view block);

}  // namespace pinfold::content
