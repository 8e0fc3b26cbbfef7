#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace pinfold::crypto {
namespace {

const std::string kKey(32, '\x07');

std::string Seal(std::string_view plaintext, std::string_view aad = {}) {
    Result<std::string> blob = AesGcmEncrypt(kKey, plaintext, aad);
    EXPECT_TRUE(blob.ok()) << blob.status().ToString();
    return blob.ok() ? *blob : std::string();
}

TEST(AesGcm, RoundTrips) {
    for (std::string plaintext : {std::string(), std::string("sk-ant-1234"), std::string("a\0b", 3),
                                  std::string(100000, 'z')}) {
        std::string blob = Seal(plaintext);
        EXPECT_EQ(blob.size(), plaintext.size() + 28);
        Result<std::string> opened = AesGcmDecrypt(kKey, blob);
        ASSERT_TRUE(opened.ok()) << opened.status().ToString();
        EXPECT_EQ(*opened, plaintext);
    }
}

TEST(AesGcm, UsesAFreshNonceEachTime) {
    std::string a = Seal("same");
    std::string b = Seal("same");
    EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
    EXPECT_NE(a, b);
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14 (AES-256, zero
// key and IV), laid out as our blob: nonce || ciphertext || tag.
TEST(AesGcm, DecryptsGcmSpecVectors) {
    std::string zeroKey(32, '\0');
    std::string nonce(12, '\0');
    Result<std::string> empty = AesGcmDecrypt(
        zeroKey,
        nonce +
            std::string("\x53\x0f\x8a\xfb\xc7\x45\x36\xb9\xa9\x63\xb4\xf1\xc4\xcb\x73\x8b", 16));
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    EXPECT_EQ(*empty, "");

    std::string ciphertext("\xce\xa7\x40\x3d\x4d\x60\x6b\x6e\x07\x4e\xc5\xd3\xba\xf3\x9d\x18", 16);
    std::string tag("\xd0\xd1\xc8\xa7\x99\x99\x6b\xf0\x26\x5b\x98\xb5\xd4\x8a\xb9\x19", 16);
    Result<std::string> block = AesGcmDecrypt(zeroKey, nonce + ciphertext + tag);
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    EXPECT_EQ(*block, std::string(16, '\0'));
}

TEST(AesGcm, RejectsAnyAlteredByte) {
    std::string blob = Seal("attack at dawn");
    for (size_t i = 0; i < blob.size(); ++i) {
        std::string altered = blob;
        altered[i] = static_cast<char>(altered[i] ^ 0x01);
        Result<std::string> opened = AesGcmDecrypt(kKey, altered);
        ASSERT_FALSE(opened.ok()) << "byte " << i;
        EXPECT_EQ(opened.status().ToString(), "Internal: Encrypted data failed authentication");
    }
}

TEST(AesGcm, RejectsTheWrongKey) {
    std::string blob = Seal("attack at dawn");
    Result<std::string> opened = AesGcmDecrypt(std::string(32, '\x08'), blob);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().ToString(), "Internal: Encrypted data failed authentication");
}

TEST(AesGcm, BindsAssociatedData) {
    std::string blob = Seal("value", "secret:1234");
    Result<std::string> right = AesGcmDecrypt(kKey, blob, "secret:1234");
    ASSERT_TRUE(right.ok());
    EXPECT_EQ(*right, "value");
    Result<std::string> wrong = AesGcmDecrypt(kKey, blob, "secret:5678");
    EXPECT_EQ(wrong.status().ToString(), "Internal: Encrypted data failed authentication");
    Result<std::string> none = AesGcmDecrypt(kKey, blob);
    EXPECT_EQ(none.status().ToString(), "Internal: Encrypted data failed authentication");
}

TEST(AesGcm, RejectsTruncatedBlobs) {
    std::string blob = Seal("");
    Result<std::string> opened = AesGcmDecrypt(kKey, blob.substr(0, 27));
    EXPECT_EQ(opened.status().ToString(), "Internal: Encrypted data is truncated");
    EXPECT_EQ(AesGcmDecrypt(kKey, "").status().ToString(), "Internal: Encrypted data is truncated");
}

TEST(AesGcm, RequiresA32ByteKey) {
    EXPECT_EQ(AesGcmEncrypt(std::string(16, 'k'), "x").status().ToString(),
              "InvalidArgument: AES-256-GCM key must be 32 bytes");
    EXPECT_EQ(AesGcmDecrypt(std::string(33, 'k'), std::string(40, '\0')).status().ToString(),
              "InvalidArgument: AES-256-GCM key must be 32 bytes");
}

}  // namespace
}  // namespace pinfold::crypto
