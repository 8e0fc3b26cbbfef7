// Cid: a content identifier, the name of a block derived from its bytes.
//
// Pinfold handles the CIDs its own DAGs use: version 0 (implicitly dag-pb, spelled base58btc
// "Qm...") and version 1 with codec dag-pb (0x70) or raw (0x55), always with a sha2-256
// multihash. Anything else parses as InvalidArgument "Invalid CID". A Cid is a small value:
// cheap to copy, compare and hash; immutable, so thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "content/multihash.h"
#include "core/result.h"

namespace pinfold::content {

inline constexpr uint64_t kDagPbCodec = 0x70;
inline constexpr uint64_t kRawCodec = 0x55;

class Cid {
  public:
    // A placeholder (CIDv1 raw, all-zero digest) for a Cid assigned later; names no real block.
    Cid() : Cid(1, kRawCodec, Digest{}) {}

    // Text form: "Qm..." (v0), or multibase 'b' (base32 lower) or 'z' (base58btc) for v1.
    static Result<Cid> Parse(std::string_view text);
    // Binary form, as in dag-pb links and CAR sections: the bare multihash for v0, else
    // <version 1><codec><multihash>. The whole input must be one CID.
    static Result<Cid> FromBytes(std::string_view bytes);
    // Reads one binary CID from the front of `in` and advances past it (CAR sections).
    static Result<Cid> ReadFrom(std::string_view& in);

    // The CIDv1 of a block under codec (kDagPbCodec or kRawCodec), hashing it with SHA-256.
    static Cid ForBlock(uint64_t codec, std::string_view block);
    // The CIDv0 of a dag-pb block.
    static Cid ForBlockV0(std::string_view dagPbBlock);
    // From parts already known; codec must be dag-pb when version is 0.
    static Cid FromDigest(int version, uint64_t codec, const Digest& digest);

    int version() const { return version_; }
    uint64_t codec() const { return codec_; }
    const Digest& digest() const { return digest_; }

    // v0 -> base58btc without prefix ("Qm..."), v1 -> 'b' + base32 lower ("bafy...").
    std::string ToString() const;
    std::string bytes() const;
    // Length of bytes() without building it: 34 for v0, 36 for v1.
    size_t byteLength() const;
    // True if sha256(block) is this CID's digest.
    bool Matches(std::string_view block) const;

    // Order by (version, codec, digest): stable, not the order of bytes().
    friend bool operator==(const Cid& a, const Cid& b) = default;
    friend bool operator<(const Cid& a, const Cid& b);

  private:
    Cid(int version, uint64_t codec, const Digest& digest)
        : version_(version), codec_(codec), digest_(digest) {}

    int version_;
    uint64_t codec_;
    Digest digest_;
};

}  // namespace pinfold::content

template <>
struct std::hash<pinfold::content::Cid> {
    size_t operator()(const pinfold::content::Cid& cid) const noexcept;
};
