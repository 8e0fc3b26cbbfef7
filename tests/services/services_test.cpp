// Unit tests of the services' pure parts and of KeyService on a real SQLite file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "services/agent_service.h"
#include "services/console_service.h"
#include "services/file_service.h"
#include "services/key_service.h"
#include "services/master_key.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

class ManualClock final : public Clock {
  public:
    int64_t nowMs() const override { return now; }
    std::chrono::steady_clock::time_point steadyNow() const override {
        return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now));
    }
    int64_t now = 1796312848000;
};

TEST(ValidateAgentFields, NamesTheFieldThatIsWrong) {
    CreateAgentInput input{"ok", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    EXPECT_TRUE(ValidateAgentFields(input).ok());
    input.name = std::string(100, 'n');
    EXPECT_TRUE(ValidateAgentFields(input).ok());
    input.name += "n";
    EXPECT_EQ(ValidateAgentFields(input).message(),
              "Validation failed: name must be at most 100 characters");
    input.name = "\xff";
    EXPECT_EQ(ValidateAgentFields(input).message(), "Validation failed: name must be valid UTF-8");
    input.name = "ok";
    input.emoji = std::string(33, 'e');
    EXPECT_EQ(ValidateAgentFields(input).message(),
              "Validation failed: emoji must be at most 32 characters");
    input.emoji = "🦞";
    input.vibe = "calm\nand\ncollected";
    EXPECT_EQ(ValidateAgentFields(input).message(),
              "Validation failed: vibe must not contain control characters");
}

TEST(RenderIdentityMarkdown, LeavesOutWhatIsNotSet) {
    store::AgentRecord agent;
    agent.name = "Ada";
    EXPECT_EQ(RenderIdentityMarkdown(agent), "# IDENTITY.md - Who Am I?\n\n- **Name:** Ada\n");
    agent.emoji = "🧮";
    agent.description = "Counts.";
    EXPECT_EQ(RenderIdentityMarkdown(agent),
              "# IDENTITY.md - Who Am I?\n\n- **Name:** Ada\n- **Emoji:** 🧮\n\nCounts.\n");
}

TEST(SanitizeUploadName, KeepsLettersAndDropsFolders) {
    EXPECT_EQ(*SanitizeUploadName("my report.pdf"), "my_report.pdf");
    EXPECT_EQ(*SanitizeUploadName("résumé.txt"), "résumé.txt");
    EXPECT_EQ(*SanitizeUploadName("a#b%c.txt"), "a_b_c.txt");
    EXPECT_EQ(*SanitizeUploadName("../../x"), "x");
    EXPECT_EQ(*SanitizeUploadName("C:\\temp\\y.txt"), "y.txt");
    EXPECT_EQ(*SanitizeUploadName(".env"), ".env");
    for (const char* bad : {"", ".", "..", "dir/", "a/.."}) {
        EXPECT_EQ(SanitizeUploadName(bad).status().message(), "Invalid filename") << bad;
    }
    EXPECT_EQ(SanitizeUploadName("\xc3").status().message(), "Invalid filename: not UTF-8");
    EXPECT_EQ(SanitizeUploadName(std::string(256, 'a')).status().message(),
              "Invalid filename: longer than 255 bytes");
}

TEST(ResolveAgentPath, RelativePathsAreUnderTheRepositoryRoot) {
    EXPECT_EQ(ResolveAgentPath("workspace/a.txt"), "/home/node/clawd/workspace/a.txt");
    EXPECT_EQ(ResolveAgentPath("/etc/hostname"), "/etc/hostname");
    EXPECT_EQ(ResolveAgentPath(""), "/home/node/clawd");
}

class KeyServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto db = store::OpenSqliteDb(dir.file("keys.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(store::Migrate(*db_).ok());
        keys = std::make_unique<KeyService>(*db_, clock, "0123456789abcdef0123456789abcdef");
    }
    testing::TempDir dir;
    ManualClock clock;
    std::unique_ptr<store::Db> db_;
    std::unique_ptr<KeyService> keys;
};

TEST_F(KeyServiceTest, ACreatedKeyVerifiesUntilRevoked) {
    auto key = keys->create("acme", "ci", 0);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    auto who = keys->verify(key->token);
    ASSERT_TRUE(who.ok()) << who.status().ToString();
    EXPECT_EQ(who->workspace, "acme");
    EXPECT_EQ(who->keyId, key->record.id);
    EXPECT_EQ(who->userId.size(), 36u);
    ASSERT_TRUE(keys->revoke(key->record.id).ok());
    EXPECT_EQ(keys->verify(key->token).status().ToString(), "Unauthorized: Token revoked");
}

TEST_F(KeyServiceTest, ExpiryIsCheckedAgainstTheClock) {
    auto key = keys->create("acme", "short", 60);
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(keys->verify(key->token).ok());
    clock.now += 61 * 1000;
    EXPECT_EQ(keys->verify(key->token).status().ToString(), "Unauthorized: Token expired");
}

TEST_F(KeyServiceTest, AKeySignedWithAnotherServersKeyIsRefused) {
    auto key = keys->create("acme", "x", 0);
    KeyService other(*db_, clock, "another-signing-key-another-key!!");
    EXPECT_EQ(other.verify(key->token).status().ToString(), "Unauthorized: Invalid token");
}

TEST_F(KeyServiceTest, WorkspaceNamesAreChecked) {
    EXPECT_EQ(keys->create("a b", "", 0).status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(keys->create(std::string(65, 'w'), "", 0).status().code(),
              Status::Code::kInvalidArgument);
    EXPECT_TRUE(keys->create("team-1.prod_x", "", 0).ok());
}

TEST(MasterKey, IsCreatedOnce0600AndReadBack) {
    testing::TempDir dir;
    auto first = LoadOrCreateMasterKey(dir.file("master.key"));
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->size(), 32u);
    EXPECT_EQ(testing::RunShell("stat -c %a " + dir.file("master.key")), "600\n");
    EXPECT_EQ(*LoadOrCreateMasterKey(dir.file("master.key")), *first);
    EXPECT_NE(DeriveKey(*first, "a"), DeriveKey(*first, "b"));
    EXPECT_EQ(DeriveKey(*first, "a").size(), 32u);
}

TEST(MasterKey, AKeyOthersCanReadIsRefused) {
    testing::TempDir dir;
    ASSERT_TRUE(LoadOrCreateMasterKey(dir.file("master.key")).ok());
    ASSERT_EQ(::chmod(dir.file("master.key").c_str(), 0640), 0);
    EXPECT_EQ(LoadOrCreateMasterKey(dir.file("master.key")).status().ToString(),
              "Internal: Master key " + dir.file("master.key") +
                  " is readable by other users (mode 0640); run chmod 600 on it");
    ASSERT_EQ(::mkdir(dir.file("folder.key").c_str(), 0700), 0);
    EXPECT_EQ(LoadOrCreateMasterKey(dir.file("folder.key")).status().ToString(),
              "Internal: Master key " + dir.file("folder.key") + " is not a regular file");
}

}  // namespace
}  // namespace pinfold::services
