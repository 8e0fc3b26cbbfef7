#include "content/murmur3.h"

namespace pinfold::content {
namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

uint64_t Rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

uint64_t Fmix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

// Little-endian 64-bit load of up to 8 bytes.
uint64_t Load(const unsigned char* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

uint64_t MixK1(uint64_t k1) {
    k1 *= kC1;
    k1 = Rotl(k1, 31);
    return k1 * kC2;
}

uint64_t MixK2(uint64_t k2) {
    k2 *= kC2;
    k2 = Rotl(k2, 33);
    return k2 * kC1;
}

}  // namespace

Murmur3Hash128 Murmur3X64_128(std::string_view data, uint64_t seed) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const size_t length = data.size();
    const size_t blocks = length / 16;
    uint64_t h1 = seed;
    uint64_t h2 = seed;

    for (size_t i = 0; i < blocks; ++i) {
        uint64_t k1 = Load(p + i * 16, 8);
        uint64_t k2 = Load(p + i * 16 + 8, 8);
        h1 ^= MixK1(k1);
        h1 = Rotl(h1, 27);
        h1 += h2;
        h1 = h1 * 5 + 0x52dce729;
        h2 ^= MixK2(k2);
        h2 = Rotl(h2, 31);
        h2 += h1;
        h2 = h2 * 5 + 0x38495ab5;
    }

    const unsigned char* tail = p + blocks * 16;
    size_t rest = length & 15;
    if (rest > 8)
        h2 ^= MixK2(Load(tail + 8, rest - 8));
    if (rest > 0)
        h1 ^= MixK1(Load(tail, rest < 8 ? rest : 8));

    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = Fmix(h1);
    h2 = Fmix(h2);
    h1 += h2;
    h2 += h1;
    return {h1, h2};
}

}  // namespace pinfold::content
