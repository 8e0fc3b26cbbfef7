#include "content/cid.h"

#include <cstring>
#include <tuple>

#include "content/multibase.h"
#include "content/varint.h"

namespace pinfold::content {
namespace {

Status InvalidCid() {
    return Status::InvalidArgument("Invalid CID");
}

bool IsV0Multihash(std::string_view bytes) {
    return bytes.size() >= 2 && bytes[0] == '\x12' && bytes[1] == '\x20';
}

}  // namespace

Result<Cid> Cid::Parse(std::string_view text) {
    // CIDv0 is 46 base58 characters starting "Qm"; nothing else is read without a prefix.
    if (text.size() == 46 && text.substr(0, 2) == "Qm") {
        std::optional<std::string> bytes = Base58BtcDecode(text);
        if (!bytes || bytes->size() != 34)
            return InvalidCid();
        return FromBytes(*bytes);
    }
    if (text.empty())
        return InvalidCid();
    std::optional<std::string> bytes;
    if (text[0] == kBase32LowerPrefix)
        bytes = Base32LowerDecode(text.substr(1));
    else if (text[0] == kBase58BtcPrefix)
        bytes = Base58BtcDecode(text.substr(1));
    // A v0 multihash under a multibase prefix is not a CID.
    if (!bytes || IsV0Multihash(*bytes))
        return InvalidCid();
    return FromBytes(*bytes);
}

Result<Cid> Cid::FromBytes(std::string_view bytes) {
    PINFOLD_ASSIGN_OR_RETURN(Cid cid, ReadFrom(bytes));
    if (!bytes.empty())
        return InvalidCid();
    return cid;
}

Result<Cid> Cid::ReadFrom(std::string_view& in) {
    std::string_view rest = in;
    if (IsV0Multihash(rest)) {
        std::optional<Digest> digest = ReadMultihash(rest);
        if (!digest)
            return InvalidCid();
        in = rest;
        return Cid(0, kDagPbCodec, *digest);
    }
    std::optional<uint64_t> version = ReadVarint(rest);
    std::optional<uint64_t> codec = version ? ReadVarint(rest) : std::nullopt;
    if (!codec || *version != 1 || (*codec != kDagPbCodec && *codec != kRawCodec))
        return InvalidCid();
    std::optional<Digest> digest = ReadMultihash(rest);
    if (!digest)
        return InvalidCid();
    in = rest;
    return Cid(1, *codec, *digest);
}

Cid Cid::ForBlock(uint64_t codec, std::string_view block) {
    return Cid(1, codec, Sha256Digest(block));
}

Cid Cid::ForBlockV0(std::string_view dagPbBlock) {
    return Cid(0, kDagPbCodec, Sha256Digest(dagPbBlock));
}

Cid Cid::FromDigest(int version, uint64_t codec, const Digest& digest) {
    return Cid(version, version == 0 ? kDagPbCodec : codec, digest);
}

std::string Cid::ToString() const {
    if (version_ == 0)
        return Base58BtcEncode(bytes());
    return kBase32LowerPrefix + Base32LowerEncode(bytes());
}

std::string Cid::bytes() const {
    std::string out;
    out.reserve(byteLength());
    if (version_ == 1) {
        AppendVarint(out, 1);
        AppendVarint(out, codec_);
    }
    out += EncodeMultihash(digest_);
    return out;
}

size_t Cid::byteLength() const {
    size_t multihash = 2 + kDigestSize;
    return version_ == 0 ? multihash : VarintSize(1) + VarintSize(codec_) + multihash;
}

bool Cid::Matches(std::string_view block) const {
    return Sha256Digest(block) == digest_;
}

bool operator<(const Cid& a, const Cid& b) {
    return std::tie(a.version_, a.codec_, a.digest_) < std::tie(b.version_, b.codec_, b.digest_);
}

}  // namespace pinfold::content

size_t std::hash<pinfold::content::Cid>::operator()(
    const pinfold::content::Cid& cid) const noexcept {
    // The digest is already uniformly distributed; its first bytes are a good hash.
    size_t h;
    std::memcpy(&h, cid.digest().data(), sizeof h);
    return h ^ (cid.codec() << 1) ^ static_cast<size_t>(cid.version());
}
