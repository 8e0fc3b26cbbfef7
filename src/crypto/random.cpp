#include "crypto/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pinfold::crypto {
namespace {

constexpr std::string_view kSlugAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

// Callers have no sane way to continue without randomness, and returning predictable ids or
// keys would be worse than stopping.
[[noreturn]] void DieOnRandFailure() {
    std::fputs("pinfold: RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
    std::abort();
}

// prefix + `length` characters drawn uniformly from kSlugAlphabet. Bytes >= 252 (the largest
// multiple of 36 that fits a byte) are rejected so that `byte % 36` carries no modulo bias.
std::string RandomSlug(char prefix, size_t length) {
    constexpr unsigned kLimit = 256 - 256 % kSlugAlphabet.size();
    std::string out(1, prefix);
    while (out.size() < length + 1) {
        std::string batch = RandomBytes(length * 2);
        for (unsigned char b : batch) {
            if (b >= kLimit)
                continue;
            out += kSlugAlphabet[b % kSlugAlphabet.size()];
            if (out.size() == length + 1)
                break;
        }
    }
    return out;
}

}  // namespace

std::string RandomBytes(size_t n) {
    std::string out(n, '\0');
    if (n == 0)
        return out;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        DieOnRandFailure();
    }
    return out;
}

std::string NewUuidV4() {
    std::string raw = RandomBytes(16);
    raw[6] = static_cast<char>((raw[6] & 0x0f) | 0x40);  // version 4
    raw[8] = static_cast<char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < raw.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        auto b = static_cast<unsigned char>(raw[i]);
        out += kHex[b >> 4];
        out += kHex[b & 0x0f];
    }
    return out;
}

std::string NewAgentId() {
    return RandomSlug('x', 7);
}

std::string NewTemplateId() {
    return RandomSlug('t', 7);
}

}  // namespace pinfold::crypto
