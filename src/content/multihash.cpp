#include "content/multihash.h"

#include <openssl/sha.h>

#include "content/varint.h"

namespace pinfold::content {

Digest Sha256Digest(std::string_view data) {
    Digest digest;
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    return digest;
}

std::string EncodeMultihash(const Digest& digest) {
    std::string out;
    out.reserve(2 + kDigestSize);
    AppendVarint(out, kSha256Code);
    AppendVarint(out, kDigestSize);
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    return out;
}

std::optional<Digest> ReadMultihash(std::string_view& in) {
    std::string_view rest = in;
    std::optional<uint64_t> code = ReadVarint(rest);
    std::optional<uint64_t> length = code ? ReadVarint(rest) : std::nullopt;
    if (!length || *code != kSha256Code || *length != kDigestSize || rest.size() < kDigestSize)
        return std::nullopt;
    Digest digest;
    for (size_t i = 0; i < kDigestSize; ++i)
        digest[i] = static_cast<uint8_t>(rest[i]);
    in = rest.substr(kDigestSize);
    return digest;
}

}  // namespace pinfold::content
