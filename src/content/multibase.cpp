#include "content/multibase.h"

#include <cstdint>
#include <vector>

namespace pinfold::content {
namespace {

constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

int Base58Value(char c) {
    size_t pos = kBase58Alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

int Base32Value(char c) {
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

}  // namespace

std::string Base58BtcEncode(std::string_view bytes) {
    size_t zeros = 0;
    while (zeros < bytes.size() && bytes[zeros] == '\0')
        ++zeros;
    // Base-58 digits of the big-endian number, least significant first.
    std::vector<uint8_t> digits;
    for (size_t i = zeros; i < bytes.size(); ++i) {
        uint32_t carry = static_cast<uint8_t>(bytes[i]);
        for (uint8_t& d : digits) {
            carry += static_cast<uint32_t>(d) << 8;
            d = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(static_cast<uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    for (auto it = digits.rbegin(); it != digits.rend(); ++it)
        out.push_back(kBase58Alphabet[*it]);
    return out;
}

std::optional<std::string> Base58BtcDecode(std::string_view text) {
    size_t ones = 0;
    while (ones < text.size() && text[ones] == '1')
        ++ones;
    // Bytes of the number, least significant first.
    std::vector<uint8_t> bytes;
    for (size_t i = ones; i < text.size(); ++i) {
        int value = Base58Value(text[i]);
        if (value < 0)
            return std::nullopt;
        uint32_t carry = static_cast<uint32_t>(value);
        for (uint8_t& b : bytes) {
            carry += static_cast<uint32_t>(b) * 58;
            b = static_cast<uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            bytes.push_back(static_cast<uint8_t>(carry & 0xff));
            carry >>= 8;
        }
    }
    std::string out(ones, '\0');
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it)
        out.push_back(static_cast<char>(*it));
    return out;
}

std::string Base32LowerEncode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : bytes) {
        buffer = (buffer << 8) | static_cast<uint8_t>(c);
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1f]);
        }
    }
    if (bits > 0)
        out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]);
    return out;
}

std::optional<std::string> Base32LowerDecode(std::string_view text) {
    // 1, 3 or 6 trailing characters cannot come from whole bytes.
    size_t tail = text.size() % 8;
    if (tail == 1 || tail == 3 || tail == 6)
        return std::nullopt;
    std::string out;
    out.reserve(text.size() * 5 / 8);
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = Base32Value(c);
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | static_cast<uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    if ((buffer & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

}  // namespace pinfold::content
