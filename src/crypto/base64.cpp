#include "crypto/base64.h"

#include <array>
#include <cstdint>

namespace pinfold::crypto {
namespace {

constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr int8_t kInvalid = -1;

constexpr std::array<int8_t, 256> MakeReverse(const char* alphabet) {
    std::array<int8_t, 256> table{};
    for (auto& v : table)
        v = kInvalid;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return table;
}

constexpr auto kStdReverse = MakeReverse(kStdAlphabet);
constexpr auto kUrlReverse = MakeReverse(kUrlAlphabet);

std::string Encode(std::string_view bytes, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                     static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                     static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    size_t rest = bytes.size() - i;
    if (rest == 1) {
        uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (pad)
            out += "==";
    } else if (rest == 2) {
        uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                     static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        if (pad)
            out += '=';
    }
    return out;
}

// Decodes unpadded symbols (text holds no '='); rejects a length of 1 mod 4 and non-zero bits
// left over in the last symbol, so every byte string has exactly one accepted spelling.
std::optional<std::string> DecodeSymbols(std::string_view text,
                                         const std::array<int8_t, 256>& reverse) {
    if (text.size() % 4 == 1)
        return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : text) {
        int8_t v = reverse[c];
        if (v == kInvalid)
            return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
    return Encode(bytes, kStdAlphabet, true);
}

std::string Base64UrlEncode(std::string_view bytes) {
    return Encode(bytes, kUrlAlphabet, false);
}

std::optional<std::string> Base64Decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
        ++padding;
    }
    std::string_view symbols = text.substr(0, text.size() - padding);
    // A third '=' (or one in the middle) is not in the alphabet, so DecodeSymbols rejects it.
    return DecodeSymbols(symbols, kStdReverse);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    return DecodeSymbols(text, kUrlReverse);
}

}  // namespace pinfold::crypto
