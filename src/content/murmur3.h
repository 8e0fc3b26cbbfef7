// MurmurHash3 x64 128-bit (Austin Appleby's reference algorithm, seed 0 by default): the hash
// UnixFS HAMT shards use to place names (multicodec murmur3-x64-64 keeps only h1).
// Stateless, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace pinfold::content {

struct Murmur3Hash128 {
    uint64_t h1 = 0;
    uint64_t h2 = 0;
};

Murmur3Hash128 Murmur3X64_128(std::string_view data, uint64_t seed = 0);

}  // namespace pinfold::content
